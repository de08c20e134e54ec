package io.vigil.api.spi;

import io.vigil.api.batch.ColumnarBatch;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One shard's running operator. The host calls every method from the shard's own thread, so an
 * instance needs no locks and runs deterministically.
 */
public interface OperatorInstance extends AutoCloseable {

    /**
     * Processes every row of {@code input} in order and appends 0..n results per row to
     * {@code output}, each stamped with the timestamp and sequence of the row that caused it.
     */
    void process(ColumnarBatch input, ColumnarBatch output);

    /**
     * Moves the operator's event-time clock to {@code eventTime} (never backwards), appending the
     * results that time-driven logic emits; they carry {@code eventTime} and {@code sequence}.
     */
    void advanceTime(long eventTime, long sequence, ColumnarBatch output);

    /** The operator's event-time clock, {@code Long.MIN_VALUE} before it has one. */
    long eventTime();

    /**
     * Writes the instance's state so that {@link #restore} on a fresh instance of the same version
     * continues exactly where this one is. Returns false when the instance keeps no snapshot of
     * its own; the host then relies on its input log or starts fresh, as the state policy says.
     */
    default boolean snapshot(OutputStream out) throws Exception {
        return false;
    }

    /** Restores state written by {@link #snapshot}; called only when that returned true. */
    default void restore(InputStream in) throws Exception {
        throw new IllegalStateException(getClass().getName() + " writes no snapshots, so it has none to restore");
    }

    /**
     * How much of the input log, in event time before the clock, must be replayed into this
     * instance before it can replace the one it was created to replace: what its parts that start
     * empty need. 0 when nothing needs replaying.
     */
    default long replayHorizonMillis() {
        return Long.MAX_VALUE;
    }

    /**
     * At the switch, on the shard's thread, after the replay: takes over from {@code previous} the
     * parts it left out when it was created; {@code previous} is closed afterwards. Returns what
     * was taken over, for the shard's report.
     */
    default TakenOver takeOver(OperatorInstance previous) {
        return TakenOver.NOTHING;
    }

    @Override
    void close();
}
