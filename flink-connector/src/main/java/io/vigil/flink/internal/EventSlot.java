package io.vigil.flink.internal;

/**
 * A slot of the connector's ring: one event copied out of its POJO (so Flink may reuse the object),
 * a watermark, or a flush request. Primitive values are held as longs (doubles by their bits).
 */
public final class EventSlot {
    public static final byte EVENT = 0;
    public static final byte WATERMARK = 1;
    public static final byte FLUSH = 2;
    /** A slot claimed for an event that failed to copy; carries nothing. */
    public static final byte SKIP = 3;
    /** A checkpoint barrier for every shard stream; {@code timestamp} holds the checkpoint id, {@code emittedThrough} the last round passed on. */
    public static final byte BARRIER = 4;
    /** Flink completed a checkpoint; {@code timestamp} holds its id. */
    public static final byte CHECKPOINT_COMPLETE = 5;

    byte kind;
    long timestamp;
    // The event had no event time: timestamp is when it arrived.
    boolean arrivalTime;
    long sequence;
    long emittedThrough;
    long publishNanos;
    // The sender routes by it, to the shard of the placement current when the slot is sent.
    int keyGroup;
    final long[] primitives;
    final Object[] references;
    final boolean[] nulls;

    EventSlot(int columns) {
        primitives = new long[columns];
        references = new Object[columns];
        nulls = new boolean[columns];
    }
}
