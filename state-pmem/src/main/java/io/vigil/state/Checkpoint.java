package io.vigil.state;

import java.util.List;

/**
 * A committed checkpoint: its id (increasing across the store), the group it belongs to (a key
 * such as one operator shard's, compared exactly; retention counts per group) and the records it
 * made durable.
 */
public record Checkpoint(long id, String group, List<RecordAddress> records) {
    public Checkpoint {
        records = List.copyOf(records);
    }
}
