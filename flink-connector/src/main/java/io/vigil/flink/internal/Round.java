package io.vigil.flink.internal;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.wire.Frame;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The events the sender drained from the ring in one go, split into one batch per shard, and the
 * results that come back for them. A round is emitted only when every shard it went to has
 * answered, and rounds are emitted in the order they were sent, so results keep input order.
 *
 * <p>{@code pending} counts answers still due plus one token the sender holds while it fills and
 * sends the round: whoever takes it to zero (sender or a network thread) schedules emission. The
 * decrement publishes everything written to the round before it.
 */
final class Round {
    // Volatile, and written after pending is re-armed: a thread that reads the new id then also
    // sees pending at 1 or above, so a round being refilled never looks ready to emit.
    volatile long id;
    final ColumnarBatch[] batches;
    final Frame[] results;
    final AtomicInteger pending = new AtomicInteger();
    long[] publishNanos = new long[256];
    int rows;
    boolean hasWatermark;
    long watermark;
    // Just below the latest arrival stamp of the round's events that had no event time: sent to
    // the shards as the round's watermark, never emitted downstream.
    long arrivalWatermark = Long.MIN_VALUE;
    long lastRingSequence;
    long openedAtNanos;

    Round(EventSchema input, int shards, int batchCapacity) {
        batches = new ColumnarBatch[shards];
        for (int s = 0; s < shards; s++) {
            batches[s] = new ColumnarBatch(input, batchCapacity);
        }
        results = new Frame[shards];
    }

    void reset(long newId, long nowNanos) {
        pending.set(1);
        for (ColumnarBatch batch : batches) {
            batch.clear();
        }
        Arrays.fill(results, null);
        rows = 0;
        hasWatermark = false;
        arrivalWatermark = Long.MIN_VALUE;
        openedAtNanos = nowNanos;
        id = newId;
    }

    void recordPublish(long nanos) {
        if (rows == publishNanos.length) {
            publishNanos = Arrays.copyOf(publishNanos, rows * 2);
        }
        publishNanos[rows++] = nanos;
    }
}
