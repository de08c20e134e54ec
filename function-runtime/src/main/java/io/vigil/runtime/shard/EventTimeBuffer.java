package io.vigil.runtime.shard;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The events a shard holds until the watermark passes them, so its operator sees them in
 * timestamp order, as a runtime whose clock an application advances per event would. An event at
 * or behind the watermark already released is late: it is counted and dropped, as Flink's
 * windows drop theirs. Shard thread only; rows are copied, never boxed.
 *
 * <p>Each stream's rows are held in a lane of their own ({@link HeldLane}), sorted as they come
 * (a stream's rows mostly arrive in order, so that is an append); a release merges the lanes'
 * due prefixes by timestamp, ties in the order the shard received them. Interleaved streams so
 * cost one copy in and one copy out, whatever their number, and out-of-order rows cost only in
 * the lane they arrived on.
 */
final class EventTimeBuffer {
    private static final Object UNNAMED = new Object();

    private final EventSchema schema;
    private Object[] owners = new Object[4];
    private HeldLane[] lanes = new HeldLane[4];
    private boolean[] closed = new boolean[4];
    private int[] cursors = new int[4];
    private int laneCount;
    private final ArrayDeque<HeldLane> free = new ArrayDeque<>();
    private long arrivals;
    private long releasedThrough = Long.MIN_VALUE;
    private long late;

    EventTimeBuffer(EventSchema schema) {
        this.schema = schema;
    }

    /** Holds every row of {@code batch} that is not late; returns how many were. */
    int hold(ColumnarBatch batch) {
        return hold(UNNAMED, batch);
    }

    /** Holds every row that {@code stream} sent in {@code batch} and that is not late; returns how many were. */
    int hold(Object stream, ColumnarBatch batch) {
        int rows = batch.rowCount();
        if (rows == 0) {
            return 0;
        }
        HeldLane lane = lanes[laneOf(stream)];
        int dropped = 0;
        for (int r = 0; r < rows; r++) {
            if (batch.timestamp(r) <= releasedThrough) {
                dropped++;
            } else {
                lane.add(batch, r, ++arrivals);
            }
        }
        late += dropped;
        return dropped;
    }

    /** {@code stream} sends nothing more; its lane goes once what it holds has been released. */
    void streamClosed(Object stream) {
        for (int i = 0; i < laneCount; i++) {
            if (owners[i] == stream) {
                closed[i] = true;
            }
        }
        dropDrainedLanes();
    }

    /**
     * Appends every held row at or before {@code watermark} to {@code out}, in timestamp order
     * and, at equal timestamps, in the order the shard received them; what is later stays held.
     */
    void release(long watermark, ColumnarBatch out) {
        if (watermark <= releasedThrough) {
            return;
        }
        releasedThrough = watermark;
        merge(watermark, out);
        for (int i = 0; i < laneCount; i++) {
            lanes[i].releasedUpTo(cursors[i]);
        }
        dropDrainedLanes();
    }

    /** The watermark through which events have been released: events at or before it are late. */
    long releasedThrough() {
        return releasedThrough;
    }

    int heldCount() {
        int held = 0;
        for (int i = 0; i < laneCount; i++) {
            held += lanes[i].count();
        }
        return held;
    }

    long lateCount() {
        return late;
    }

    /** A copy of the rows held, in release order, for a checkpoint to write off the shard's thread. */
    ColumnarBatch held() {
        ColumnarBatch copy = new ColumnarBatch(schema, Math.max(16, heldCount()));
        merge(Long.MAX_VALUE, copy);
        return copy;
    }

    /** Empty, nothing released: a shard that starts over. */
    void reset() {
        for (int i = 0; i < laneCount; i++) {
            closed[i] = true;
            lanes[i].clear();
        }
        dropDrainedLanes();
        releasedThrough = Long.MIN_VALUE;
    }

    /** Back to a checkpoint's buffer: {@code rows} held (in release order), events through {@code released} already released. */
    void restore(ColumnarBatch rows, long released) {
        reset();
        Object restored = new Object();
        hold(restored, rows);
        streamClosed(restored);
        releasedThrough = released;
    }

    // Copies the rows at or before `through` from every lane to `out`, the earliest first, and
    // leaves each lane's cursor after what it copied.
    private void merge(long through, ColumnarBatch out) {
        for (int i = 0; i < laneCount; i++) {
            lanes[i].sort();
            cursors[i] = lanes[i].start();
        }
        if (laneCount == 1) {
            HeldLane lane = lanes[0];
            int row = cursors[0];
            while (row < lane.end() && lane.timestamp(row) <= through) {
                out.copyRow(lane.rows(), row++);
            }
            cursors[0] = row;
            return;
        }
        while (true) {
            int next = -1;
            long earliest = Long.MAX_VALUE;
            long first = Long.MAX_VALUE;
            for (int i = 0; i < laneCount; i++) {
                int row = cursors[i];
                HeldLane lane = lanes[i];
                if (row < lane.end()) {
                    long timestamp = lane.timestamp(row);
                    if (timestamp <= through && (timestamp < earliest || timestamp == earliest && lane.arrival(row) < first)) {
                        earliest = timestamp;
                        first = lane.arrival(row);
                        next = i;
                    }
                }
            }
            if (next < 0) {
                return;
            }
            out.copyRow(lanes[next].rows(), cursors[next]++);
        }
    }

    private int laneOf(Object stream) {
        for (int i = 0; i < laneCount; i++) {
            if (owners[i] == stream && !closed[i]) {
                return i;
            }
        }
        if (laneCount == lanes.length) {
            owners = Arrays.copyOf(owners, laneCount * 2);
            lanes = Arrays.copyOf(lanes, laneCount * 2);
            closed = Arrays.copyOf(closed, laneCount * 2);
            cursors = Arrays.copyOf(cursors, laneCount * 2);
        }
        HeldLane lane = free.poll();
        owners[laneCount] = stream;
        lanes[laneCount] = lane != null ? lane : new HeldLane(schema);
        closed[laneCount] = false;
        return laneCount++;
    }

    private void dropDrainedLanes() {
        int kept = 0;
        for (int i = 0; i < laneCount; i++) {
            if (closed[i] && lanes[i].count() == 0) {
                free.add(lanes[i]);
                continue;
            }
            owners[kept] = owners[i];
            lanes[kept] = lanes[i];
            closed[kept] = closed[i];
            kept++;
        }
        for (int i = kept; i < laneCount; i++) {
            owners[i] = null;
            lanes[i] = null;
        }
        laneCount = kept;
    }
}
