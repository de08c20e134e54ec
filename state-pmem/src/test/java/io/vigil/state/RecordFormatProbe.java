package io.vigil.state;

import java.io.IOException;

/** Test access to where the store's log ends. */
final class RecordFormatProbe {
    private RecordFormatProbe() {
    }

    /** Where the newest checkpoint's root record starts. */
    static long rootOffset(CheckpointStore store) throws IOException {
        Checkpoint latest = store.latest().orElseThrow();
        RecordAddress last = latest.records().get(latest.records().size() - 1);
        return last.offset() + RecordFormat.footprint(last.length());
    }

    /** The last byte of the newest root that carries information (its padding follows). */
    static long rootPayloadEnd(CheckpointStore store) throws IOException {
        return rootOffset(store) + RecordFormat.HEADER_BYTES + 16 + 16L * store.latest().orElseThrow().records().size();
    }

    static long rootFootprintEnd(CheckpointStore store) throws IOException {
        return rootOffset(store) + RecordFormat.footprint(16 + 16 * store.latest().orElseThrow().records().size());
    }
}
