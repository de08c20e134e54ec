package io.vigil.state;

/**
 * @param segmentBytes      size of each segment file; a record must fit in one
 * @param maxBytes          the most the store may occupy on disk
 * @param retainCheckpoints how many of each group's newest committed checkpoints to keep; older space is reclaimed
 * @param discardDamaged    open a damaged store, keeping what is intact and setting the damage aside;
 *                          false: refuse it with {@link StoreDamagedException}
 */
public record StoreOptions(int segmentBytes, long maxBytes, int retainCheckpoints, boolean discardDamaged) {
    public StoreOptions(int segmentBytes, long maxBytes, int retainCheckpoints) {
        this(segmentBytes, maxBytes, retainCheckpoints, false);
    }

    /** These options, discarding damage when opening. */
    public StoreOptions discardingDamage() {
        return new StoreOptions(segmentBytes, maxBytes, retainCheckpoints, true);
    }

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
