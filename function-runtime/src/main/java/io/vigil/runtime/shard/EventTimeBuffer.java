package io.vigil.runtime.shard;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;

/**
 * The events a shard holds until the watermark passes them, so its operator sees them in
 * timestamp order, as a runtime whose clock an application advances per event would. An event at
 * or behind the watermark already released is late: it is counted and dropped, as Flink's
 * windows drop theirs. Shard thread only; rows are copied, never boxed.
 *
 * <p>The held rows are kept sorted by timestamp, ties in arrival order, from {@code start} on, so
 * a release copies out a prefix. A row that arrives behind the newest held one waits aside and is
 * merged in before the next release: in-order input never sorts, and the cost of out-of-order
 * input grows with how much of it there is, not with how much is held.
 */
final class EventTimeBuffer {
    private ColumnarBatch held;
    private ColumnarBatch spare;
    private final ColumnarBatch behind;
    private int start;
    private int[] order = new int[256];
    private int[] merge = new int[256];
    private long releasedThrough = Long.MIN_VALUE;
    private long late;

    EventTimeBuffer(EventSchema schema) {
        this.held = new ColumnarBatch(schema, 1024);
        this.spare = new ColumnarBatch(schema, 1024);
        this.behind = new ColumnarBatch(schema, 256);
    }

    /** Holds every row of {@code batch} that is not late; returns how many were. */
    int hold(ColumnarBatch batch) {
        int dropped = 0;
        for (int r = 0; r < batch.rowCount(); r++) {
            long timestamp = batch.timestamp(r);
            if (timestamp <= releasedThrough) {
                dropped++;
            } else if (behind.isEmpty() && (held.rowCount() == start || timestamp >= held.timestamp(held.rowCount() - 1))) {
                held.copyRow(batch, r);
            } else {
                // Once one row waits aside, every later one does too, so the arrival order of ties holds.
                behind.copyRow(batch, r);
            }
        }
        late += dropped;
        return dropped;
    }

    /**
     * Appends every held row at or before {@code watermark} to {@code out}, in timestamp order
     * and, at equal timestamps, in the order they arrived; what is later stays held.
     */
    void release(long watermark, ColumnarBatch out) {
        if (watermark <= releasedThrough) {
            return;
        }
        releasedThrough = watermark;
        mergeBehind();
        int rows = held.rowCount();
        while (start < rows && held.timestamp(start) <= watermark) {
            out.copyRow(held, start++);
        }
        if (start == rows) {
            held.clear();
            start = 0;
        } else if (start > 4096 && start > rows / 2) {
            compact();
        }
    }

    /** The watermark through which events have been released: events at or before it are late. */
    long releasedThrough() {
        return releasedThrough;
    }

    int heldCount() {
        return held.rowCount() - start + behind.rowCount();
    }

    long lateCount() {
        return late;
    }

    /** The rows held, in release order, for a checkpoint. */
    ColumnarBatch held() {
        mergeBehind();
        compact();
        return held;
    }

    /** Empty, nothing released: a shard that starts over. */
    void reset() {
        held.clear();
        behind.clear();
        start = 0;
        releasedThrough = Long.MIN_VALUE;
    }

    /** Back to a checkpoint's buffer: {@code rows} held (in release order), events through {@code released} already released. */
    void restore(ColumnarBatch rows, long released) {
        reset();
        hold(rows);
        releasedThrough = released;
    }

    private void compact() {
        if (start == 0) {
            return;
        }
        spare.clear();
        for (int r = start; r < held.rowCount(); r++) {
            spare.copyRow(held, r);
        }
        swap();
    }

    // Sorts the rows waiting aside (stable) and merges them into the held ones; ties go to the
    // held row, which arrived first.
    private void mergeBehind() {
        int waiting = behind.rowCount();
        if (waiting == 0) {
            return;
        }
        if (order.length < waiting) {
            order = new int[Math.max(waiting, order.length * 2)];
            merge = new int[order.length];
        }
        for (int i = 0; i < waiting; i++) {
            order[i] = i;
        }
        sortByTimestamp(0, waiting);
        spare.clear();
        int h = start;
        int rows = held.rowCount();
        int b = 0;
        while (h < rows || b < waiting) {
            if (b >= waiting || (h < rows && held.timestamp(h) <= behind.timestamp(order[b]))) {
                spare.copyRow(held, h++);
            } else {
                spare.copyRow(behind, order[b++]);
            }
        }
        behind.clear();
        swap();
    }

    private void swap() {
        ColumnarBatch previous = held;
        held = spare;
        spare = previous;
        spare.clear();
        start = 0;
    }

    // A stable merge sort of the waiting rows' indices by timestamp.
    private void sortByTimestamp(int from, int to) {
        if (to - from < 2) {
            return;
        }
        int middle = (from + to) >>> 1;
        sortByTimestamp(from, middle);
        sortByTimestamp(middle, to);
        if (behind.timestamp(order[middle - 1]) <= behind.timestamp(order[middle])) {
            return;
        }
        System.arraycopy(order, from, merge, from, to - from);
        int left = from;
        int right = middle;
        for (int i = from; i < to; i++) {
            if (right >= to || (left < middle && behind.timestamp(merge[left]) <= behind.timestamp(merge[right]))) {
                order[i] = merge[left++];
            } else {
                order[i] = merge[right++];
            }
        }
    }
}
