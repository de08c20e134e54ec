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
     * Processes every row of {@code input} in order (the host gives them in timestamp order) and
     * appends 0..n results per row to {@code output}. Before each row the operator's clock moves
     * to the row's timestamp when that is later, stepping through every timer due on the way, so
     * what falls due between two events fires between them, as in the language's own runtime.
     * A result carries the time its cause happened at: the row's timestamp, or for a timer the
     * time it was scheduled for; and the sequence of the row being processed.
     */
    void process(ColumnarBatch input, ColumnarBatch output);

    /**
     * Moves the operator's event-time clock to {@code eventTime} (never backwards), stepping
     * through every timer due on the way and appending what they emit, each result stamped with
     * its timer's time and with {@code sequence}. {@link #END_OF_INPUT} is the end of the stream:
     * the operator fires what its windows, batches and output rates still hold, up to its state
     * horizon past its clock.
     */
    void advanceTime(long eventTime, long sequence, ColumnarBatch output);

    /** The watermark at the end of the input: no event follows. */
    long END_OF_INPUT = Long.MAX_VALUE;

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
     * Writes what changed since this instance's last {@link #snapshot} or {@code snapshotChanges}, so
     * that a checkpoint costs what changed rather than what the state holds. Returns false when the
     * instance writes no such increments; the host then writes {@link #snapshot} whole.
     */
    default boolean snapshotChanges(OutputStream out) throws Exception {
        return false;
    }

    /** Applies an increment written by {@link #snapshotChanges}, after the snapshot and the increments before it. */
    default void restoreChanges(InputStream in) throws Exception {
        throw new IllegalStateException(getClass().getName() + " writes no increments, so it has none to restore");
    }

    /**
     * After a rescale: takes, from a snapshot another shard of this operator wrote, the state of
     * the keys in key groups {@code first <= group < end} only (see {@code KeyGroups}); called once
     * per shard whose key groups this one took, each followed by its increments.
     */
    default void restoreKeyGroups(InputStream in, int first, int end) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot split its snapshot by key group, so its"
                + " operator can be moved between hosts but cannot change its shard count");
    }

    /**
     * Whether this operator's state can be split by key group, so that its operator can change its
     * shard count: true when the instance keeps no snapshot of its own (the host splits its input
     * log) or implements {@link #restoreKeyGroups}; an instance that writes snapshots it cannot
     * split says false, and a rescale that would split them is refused before anything changes.
     */
    default boolean splitsByKeyGroup() {
        return true;
    }

    /** As {@link #restoreKeyGroups}, for an increment that follows the snapshot. */
    default void restoreChangesKeyGroups(InputStream in, int first, int end) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot split its increments by key group, so its"
                + " operator can be moved between hosts but cannot change its shard count");
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
