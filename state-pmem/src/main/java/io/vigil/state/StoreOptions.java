package io.vigil.state;

/**
 * @param segmentBytes      size of each segment file; a record must fit in one
 * @param maxBytes          the most the store may occupy on disk
 * @param retainCheckpoints how many of each group's newest committed checkpoints to keep; older space is reclaimed
 */
public record StoreOptions(int segmentBytes, long maxBytes, int retainCheckpoints) {
    public StoreOptions {
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("segments must be at least 4 KiB, not " + segmentBytes);
        }
        if (maxBytes < segmentBytes) {
            throw new IllegalArgumentException("the store must hold at least one segment");
        }
        if (retainCheckpoints < 1) {
            throw new IllegalArgumentException("the store must retain at least one checkpoint");
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(64 << 20, 8L << 30, 3);
    }
}
