package io.vigil.state;

import java.util.List;

/**
 * A committed checkpoint: its id (increasing across the store), the group it belongs to (for
 * example one operator shard; retention counts per group) and the records it made durable.
 */
public record Checkpoint(long id, int group, List<RecordAddress> records) {
    public Checkpoint {
        records = List.copyOf(records);
    }

    /** The records carrying {@code tag}, in the order they were appended. */
    public List<RecordAddress> recordsTagged(int tag) {
        return records.stream().filter(r -> r.tag() == tag).toList();
    }
}
