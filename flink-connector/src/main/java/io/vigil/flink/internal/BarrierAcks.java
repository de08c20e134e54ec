package io.vigil.flink.internal;

import io.vigil.flink.VigilConnectorException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The acknowledgements of each checkpoint's barrier, one per shard, collected from network threads
 * while Flink's asynchronous checkpoint thread waits for them. Several checkpoints may be pending
 * at once: a barrier can follow another before the first is durable.
 */
final class BarrierAcks {
    private static final class Pending {
        final CountDownLatch shardsLeft;
        final boolean[] acknowledged;
        volatile boolean aborted;

        Pending(int shards) {
            shardsLeft = new CountDownLatch(shards);
            acknowledged = new boolean[shards];
        }
    }

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    /** Task thread, before the barrier is sent; returns how many checkpoints are now pending, this one included. */
    int expect(long checkpointId, int shards) {
        pending.put(checkpointId, new Pending(shards));
        return pending.size();
    }

    /** Network thread. */
    void acknowledge(int shard, long checkpointId) {
        Pending waiting = pending.get(checkpointId);
        if (waiting == null) {
            return;
        }
        synchronized (waiting) {
            if (waiting.acknowledged[shard]) {
                return;
            }
            waiting.acknowledged[shard] = true;
        }
        waiting.shardsLeft.countDown();
    }

    /**
     * Checkpoint thread: returns once every shard has made {@code checkpointId} durable. There is
     * no deadline of its own: a shard working through a backlog acknowledges late, and Flink's
     * checkpoint timeout is the one a user sets; when it passes Flink aborts the checkpoint, which
     * ends this wait through {@link #forget}.
     */
    void await(long checkpointId, Runnable throwIfFailed) throws InterruptedException {
        Pending waiting = pending.get(checkpointId);
        if (waiting == null) {
            throw new VigilConnectorException("checkpoint " + checkpointId + " sent no barrier (aborted or superseded)");
        }
        try {
            while (!waiting.shardsLeft.await(10, TimeUnit.MILLISECONDS)) {
                throwIfFailed.run();
                if (waiting.aborted) {
                    throw new VigilConnectorException("checkpoint " + checkpointId + " was aborted before every shard acknowledged it");
                }
            }
        } finally {
            pending.remove(checkpointId);
        }
    }

    /** Flink aborted the checkpoint: nothing waits for it any more. */
    void forget(long checkpointId) {
        Pending waiting = pending.remove(checkpointId);
        if (waiting != null) {
            waiting.aborted = true;
        }
    }
}
