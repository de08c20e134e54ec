package io.vigil.runtime.shard;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Crash points for fault-injection tests, inert unless a system property arms them:
 * {@code -Dvigil.fault.halt-before-ack=N} halts the host (as a SIGKILL would) right after the N-th
 * shard checkpoint is durable and before any stream hears of it; {@code -Dvigil.fault.halt-after-switch=S}
 * halts it when shard S has switched to a new version, before the update returns (with several
 * shards, in the middle of a swap); {@code -Dvigil.fault.durability-delay-ms=D} makes every
 * checkpoint become durable D ms late, as on a slow disk, so checkpoints overlap.
 */
final class FaultInjection {
    private static final long HALT_BEFORE_ACK = Long.getLong("vigil.fault.halt-before-ack", 0);
    private static final int HALT_AFTER_SWITCH = Integer.getInteger("vigil.fault.halt-after-switch", -1);
    private static final long DURABILITY_DELAY_MILLIS = Long.getLong("vigil.fault.durability-delay-ms", 0);
    private static final AtomicLong CHECKPOINTS = new AtomicLong();

    private FaultInjection() {
    }

    static void checkpointDurableAckNotSent() {
        if (HALT_BEFORE_ACK > 0 && CHECKPOINTS.incrementAndGet() == HALT_BEFORE_ACK) {
            Runtime.getRuntime().halt(137);
        }
    }

    static <T> CompletableFuture<T> slowDurability(CompletableFuture<T> durable) {
        if (DURABILITY_DELAY_MILLIS <= 0) {
            return durable;
        }
        return durable.thenApplyAsync(value -> value,
                CompletableFuture.delayedExecutor(DURABILITY_DELAY_MILLIS, TimeUnit.MILLISECONDS));
    }

    static void shardSwitched(int shard) {
        if (shard == HALT_AFTER_SWITCH) {
            Runtime.getRuntime().halt(137);
        }
    }
}
