package io.vigil.flink.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Barriers (and checkpoint completions) the task thread could not put into a full ring: each goes
 * to the shards once the sender has taken every slot published before it, so a checkpoint never
 * waits for the ring to drain. The task thread adds; the sender takes.
 */
final class PendingBarriers {
    /** @param completed a checkpoint completion rather than a barrier */
    record Barrier(long checkpointId, long emittedThrough, long afterSequence, boolean completed) {
    }

    private final Queue<Barrier> queue = new ConcurrentLinkedQueue<>();

    void add(Barrier barrier) {
        queue.add(barrier);
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Sender: the oldest barrier due once the slots through {@code handledThrough} are taken, or null. */
    Barrier due(long handledThrough) {
        Barrier head = queue.peek();
        return head != null && head.afterSequence() <= handledThrough ? queue.poll() : null;
    }
}
