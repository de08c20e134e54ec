package io.vigil.runtime.operator;

import io.vigil.runtime.DaemonThreads;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.SwapReport;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.runtime.shard.Shard;
import io.vigil.runtime.shard.ShardVersion;
import io.vigil.runtime.state.ShardState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The update of a running operator to a new version: compile it off the hot path, prepare an
 * instance per shard that takes over what it shares with the running one, catch it up on the
 * input log while the old version serves, record the version, then switch every shard at its
 * next batch boundary. A spec that does not compile leaves the running version untouched.
 */
final class OperatorUpdate {
    static final long SWAP_TIMEOUT_SECONDS = 30;
    // Passes go on until one finds at most a batch to replay, so the shard replays at most about
    // that much at the switch; a log growing faster than the replay stops them at the limit.
    private static final int MAX_CATCH_UP_PASSES = 64;
    private static final int SMALL_ENOUGH_TO_SWITCH = 1;

    /** Records a version in the store before any shard switches to it. */
    interface Recorder {
        void record(OperatorSpec spec, long version) throws OperatorException;
    }

    private final boolean keepsState;
    private final Recorder recorder;
    private final ExecutorService replays = Executors.newCachedThreadPool(DaemonThreads.named("vigil-swap-replay"));

    /** @param keepsState whether the host keeps an input log to carry state across by replay */
    OperatorUpdate(boolean keepsState, Recorder recorder) {
        this.keepsState = keepsState;
        this.recorder = recorder;
    }

    /** Switches every shard to {@code compiled} (the spec compiled already, in {@code compileMicros}). */
    void apply(DeployedOperator operator, OperatorSpec spec, OperatorDefinition definition, CompiledOperator compiled, long compileMicros)
            throws OperatorException {
        checkCompatible(operator.definition(), definition);
        long version = operator.version() + 1;
        OperatorSpec normalized = spec.toBuilder().setShards(definition.shards()).build();
        ShardVersion next = new ShardVersion(normalized, compiled, version);
        boolean carry = keepsState && next.carriesState();
        List<OperatorInstance> instances = OperatorCompiler.instantiate(compiled, definition, version,
                s -> operator.shard(s) != null, carry ? s -> operator.shard(s).runningInstance() : null);
        long[] replayedThrough = new long[instances.size()];
        long[] replayedBatches = new long[instances.size()];
        Arrays.fill(replayedThrough, -1);
        long replayStart = System.nanoTime();
        if (carry) {
            catchUp(operator, next, instances, replayedThrough, replayedBatches);
        }
        long replayMicros = (System.nanoTime() - replayStart) / 1000;
        // Recorded before any shard switches, so no checkpoint can name a version the store does not know.
        recorder.record(normalized, version);
        List<CompletableFuture<OperatorInstance>> swaps = new ArrayList<>();
        for (Shard shard : operator.shards()) {
            int s = shard.index();
            SwapReport preparation = SwapReport.newBuilder()
                    .setCompileMicros(compileMicros)
                    .setReplayMicros(carry ? replayMicros : 0)
                    .setBatchesReplayedAhead(replayedBatches[s])
                    .build();
            swaps.add(shard.swap(instances.get(s), next, carry, replayedThrough[s], preparation));
        }
        try {
            CompletableFuture.allOf(swaps.toArray(CompletableFuture[]::new)).get(SWAP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + spec.getName()
                    + "' did not switch to version " + version + ": " + e, List.of(), e);
        }
        for (CompletableFuture<OperatorInstance> replaced : swaps) {
            OperatorCompiler.closeQuietly(replaced.join(), next.compiled());
        }
        operator.activate(normalized, definition, version, next.compiled());
    }

    static void checkCompatible(OperatorDefinition current, OperatorDefinition definition) throws OperatorException {
        String name = definition.name();
        if (definition.shards() != current.shards()) {
            throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + name
                    + "' runs " + current.shards() + " shards; an update cannot change that to " + definition.shards());
        }
        if (!definition.input().equals(current.input()) || !definition.keyField().equals(current.keyField())) {
            throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + name
                    + "' is fed " + current.input() + " keyed by " + current.keyField()
                    + "; an update must keep the input schema and key (" + current.input().differenceFrom(definition.input()) + ")");
        }
        if (!definition.output().equals(current.output())) {
            throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + name
                    + "' emits " + current.output() + "; an update must keep the output schema ("
                    + current.output().differenceFrom(definition.output()) + ")");
        }
    }

    /**
     * Off the hot path, each shard's new instance replays that shard's input log within the new
     * version's horizon while the old one keeps serving; the shards replay in parallel. Passes go
     * in rounds over all the shards, each replaying what arrived during the round before, until a
     * round finds next to nothing on every shard: a shard that caught up early would otherwise
     * gather new input while the slowest one finished, and replay all of it at the switch.
     */
    private void catchUp(DeployedOperator operator, ShardVersion next, List<OperatorInstance> instances, long[] replayedThrough,
                         long[] replayedBatches) throws OperatorException {
        ClassLoader loader = next.compiled().getClass().getClassLoader();
        List<Shard> replaying = new ArrayList<>();
        long[] horizons = new long[instances.size()];
        for (Shard shard : operator.shards()) {
            int index = shard.index();
            // Parts the new instance takes over as they run need no replay.
            horizons[index] = Math.min(next.compiled().stateHorizonMillis(), instances.get(index).replayHorizonMillis());
            if (horizons[index] > 0) {
                replaying.add(shard);
            }
        }
        try {
            for (int round = 0; round < MAX_CATCH_UP_PASSES && !replaying.isEmpty(); round++) {
                List<CompletableFuture<Integer>> passes = new ArrayList<>();
                for (Shard shard : replaying) {
                    int index = shard.index();
                    passes.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            ShardState.LogSnapshot log = shard.logSince(replayedThrough[index], horizons[index])
                                    .get(SWAP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                            replayedBatches[index] += OperatorCompiler.withClassLoader(loader,
                                    () -> shard.replayInto(instances.get(index), log.records()));
                            replayedThrough[index] = log.lastSerial();
                            return log.records().size();
                        } catch (Exception e) {
                            throw new CompletionException(e);
                        }
                    }, replays));
                }
                // Every pass ends before any failure is reported: the instances are closed then.
                CompletableFuture.allOf(passes.toArray(CompletableFuture[]::new)).join();
                int largest = 0;
                for (CompletableFuture<Integer> pass : passes) {
                    largest = Math.max(largest, pass.join());
                }
                if (largest <= SMALL_ENOUGH_TO_SWITCH) {
                    return;
                }
            }
        } catch (CompletionException e) {
            OperatorCompiler.closeAll(instances);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + operator.name()
                    + "' version " + next.version() + " could not take over the state of version " + operator.version()
                    + ": " + cause, List.of(), cause);
        }
    }
}
