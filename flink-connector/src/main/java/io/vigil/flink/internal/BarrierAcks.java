package io.vigil.flink.internal;

import io.vigil.flink.VigilConnectorException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The acknowledgements of one checkpoint's barrier, one per shard, collected from network threads
 * while the task thread waits in {@code snapshotState}. Waiting needs no mailbox: acks arrive on
 * network threads.
 */
final class BarrierAcks {
    private volatile long checkpointId = -1;
    private volatile byte[][] handles;
    private volatile CountDownLatch pending;

    void expect(long id, int shards) {
        handles = new byte[shards][];
        pending = new CountDownLatch(shards);
        checkpointId = id;
    }

    void acknowledge(int shard, long id, byte[] handle) {
        if (id == checkpointId && handles[shard] == null) {
            handles[shard] = handle;
            pending.countDown();
        }
    }

    byte[][] await(long id, Duration timeout, Runnable throwIfFailed) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.await(10, TimeUnit.MILLISECONDS)) {
            throwIfFailed.run();
            if (System.nanoTime() > deadline) {
                throw new VigilConnectorException("checkpoint " + id + ": not every shard acknowledged its barrier within " + timeout);
            }
        }
        return handles;
    }
}
