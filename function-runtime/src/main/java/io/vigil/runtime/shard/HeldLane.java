package io.vigil.runtime.shard;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import java.util.Arrays;

/**
 * The rows one stream sent that its shard holds for the watermark, sorted by timestamp from
 * {@code start}, ties in arrival order, each with the shard-wide arrival number that orders ties
 * across streams. A stream's rows mostly come in order, so they are appended; a row behind the
 * newest held one waits aside and is merged in before the next release. Shard thread only.
 */
final class HeldLane {
    private ColumnarBatch held;
    private ColumnarBatch spare;
    private final ColumnarBatch behind;
    private long[] arrivals = new long[1024];
    private long[] spareArrivals = new long[1024];
    private long[] behindArrivals = new long[256];
    private int start;
    private int[] order = new int[256];
    private int[] merge = new int[256];

    HeldLane(EventSchema schema) {
        this.held = new ColumnarBatch(schema, 1024);
        this.spare = new ColumnarBatch(schema, 1024);
        this.behind = new ColumnarBatch(schema, 256);
    }

    void add(ColumnarBatch batch, int row, long arrival) {
        long timestamp = batch.timestamp(row);
        if (behind.isEmpty() && (held.rowCount() == start || timestamp >= held.timestamp(held.rowCount() - 1))) {
            arrivals = room(arrivals, held.rowCount());
            arrivals[held.rowCount()] = arrival;
            held.copyRow(batch, row);
        } else {
            // Once one row waits aside, every later one does too, so the arrival order of ties holds.
            behindArrivals = room(behindArrivals, behind.rowCount());
            behindArrivals[behind.rowCount()] = arrival;
            behind.copyRow(batch, row);
        }
    }

    /** Merges the rows waiting aside into the held ones, so the lane is sorted from {@link #start()}. */
    void sort() {
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
        // Ties go to the held row, which arrived first.
        while (h < rows || b < waiting) {
            spareArrivals = room(spareArrivals, spare.rowCount());
            if (b >= waiting || (h < rows && held.timestamp(h) <= behind.timestamp(order[b]))) {
                spareArrivals[spare.rowCount()] = arrivals[h];
                spare.copyRow(held, h++);
            } else {
                spareArrivals[spare.rowCount()] = behindArrivals[order[b]];
                spare.copyRow(behind, order[b++]);
            }
        }
        behind.clear();
        swap();
    }

    int start() {
        return start;
    }

    int end() {
        return held.rowCount();
    }

    long timestamp(int row) {
        return held.timestamp(row);
    }

    long arrival(int row) {
        return arrivals[row];
    }

    ColumnarBatch rows() {
        return held;
    }

    /** Drops the rows before {@code row}, which have been released. */
    void releasedUpTo(int row) {
        start = row;
        int rows = held.rowCount();
        if (start == rows) {
            held.clear();
            start = 0;
        } else if (start > 4096 && start > rows / 2) {
            compact();
        }
    }

    int count() {
        return held.rowCount() - start + behind.rowCount();
    }

    void clear() {
        held.clear();
        behind.clear();
        start = 0;
    }

    private void compact() {
        spare.clear();
        spareArrivals = room(spareArrivals, held.rowCount() - start);
        for (int r = start; r < held.rowCount(); r++) {
            spareArrivals[spare.rowCount()] = arrivals[r];
            spare.copyRow(held, r);
        }
        swap();
    }

    private void swap() {
        ColumnarBatch previous = held;
        held = spare;
        spare = previous;
        spare.clear();
        long[] previousArrivals = arrivals;
        arrivals = spareArrivals;
        spareArrivals = previousArrivals;
        start = 0;
    }

    private static long[] room(long[] array, int index) {
        return index < array.length ? array : Arrays.copyOf(array, Math.max(index + 1, array.length * 2));
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
