package io.vigil.runtime.shard;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;

/**
 * The events a shard holds until the watermark passes them, so its operator sees them in
 * timestamp order, as a runtime whose clock an application advances per event would. An event at
 * or behind the watermark already released is late: it is counted and dropped, as Flink's
 * windows drop theirs. Shard thread only; rows are copied, never boxed.
 */
final class EventTimeBuffer {
    private ColumnarBatch held;
    private ColumnarBatch kept;
    private int[] order = new int[1024];
    private int[] merge = new int[1024];
    private long releasedThrough = Long.MIN_VALUE;
    private long late;

    EventTimeBuffer(EventSchema schema) {
        this.held = new ColumnarBatch(schema, 1024);
        this.kept = new ColumnarBatch(schema, 1024);
    }

    /** Holds every row of {@code batch} that is not late; returns how many were. */
    int hold(ColumnarBatch batch) {
        int dropped = 0;
        for (int r = 0; r < batch.rowCount(); r++) {
            if (batch.timestamp(r) <= releasedThrough) {
                dropped++;
            } else {
                held.copyRow(batch, r);
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
        int rows = held.rowCount();
        if (order.length < rows) {
            order = new int[Math.max(rows, order.length * 2)];
            merge = new int[order.length];
        }
        int due = 0;
        boolean sorted = true;
        for (int r = 0; r < rows; r++) {
            if (held.timestamp(r) <= watermark) {
                if (due > 0 && held.timestamp(order[due - 1]) > held.timestamp(r)) {
                    sorted = false;
                }
                order[due++] = r;
            }
        }
        if (due == 0) {
            return;
        }
        if (!sorted) {
            sortByTimestamp(0, due);
        }
        for (int i = 0; i < due; i++) {
            out.copyRow(held, order[i]);
        }
        if (due == rows) {
            held.clear();
            return;
        }
        kept.clear();
        for (int r = 0; r < rows; r++) {
            if (held.timestamp(r) > watermark) {
                kept.copyRow(held, r);
            }
        }
        ColumnarBatch swap = held;
        held = kept;
        kept = swap;
    }

    /** The watermark through which events have been released: events at or before it are late. */
    long releasedThrough() {
        return releasedThrough;
    }

    int heldCount() {
        return held.rowCount();
    }

    long lateCount() {
        return late;
    }

    /** The rows held, in arrival order, for a checkpoint. */
    ColumnarBatch held() {
        return held;
    }

    /** Empty, nothing released: a shard that starts over. */
    void reset() {
        held.clear();
        releasedThrough = Long.MIN_VALUE;
    }

    /** Back to a checkpoint's buffer: {@code rows} held, events through {@code released} already released. */
    void restore(ColumnarBatch rows, long released) {
        held.clear();
        for (int r = 0; r < rows.rowCount(); r++) {
            held.copyRow(rows, r);
        }
        releasedThrough = released;
    }

    // A stable merge sort of row indices by timestamp: ties keep their arrival order.
    private void sortByTimestamp(int from, int to) {
        if (to - from < 2) {
            return;
        }
        int middle = (from + to) >>> 1;
        sortByTimestamp(from, middle);
        sortByTimestamp(middle, to);
        if (held.timestamp(order[middle - 1]) <= held.timestamp(order[middle])) {
            return;
        }
        System.arraycopy(order, from, merge, from, to - from);
        int left = from;
        int right = middle;
        for (int i = from; i < to; i++) {
            if (right >= to || (left < middle && held.timestamp(merge[left]) <= held.timestamp(merge[right]))) {
                order[i] = merge[left++];
            } else {
                order[i] = merge[right++];
            }
        }
    }
}
