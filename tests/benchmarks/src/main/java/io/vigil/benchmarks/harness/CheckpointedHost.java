package io.vigil.benchmarks.harness;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.CheckpointPauses;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.ShardStatus;
import io.vigil.examples.fraud.LocalStateDirectory;
import io.vigil.runtime.FunctionHost;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A function host in this process with its store on tmpfs, for the checkpointed variant: kept for
 * every run, like the stateless host, so both run warm code. What one run's checkpoints held its
 * shards for is the difference of the cumulative pause buckets Describe reports before and after.
 */
public final class CheckpointedHost implements AutoCloseable {
    private final Path state;
    private final FunctionHost host;
    private final String operator;

    private CheckpointedHost(Path state, FunctionHost host, String operator) {
        this.state = state;
        this.host = host;
        this.operator = operator;
    }

    public static CheckpointedHost start(Path plugins, OperatorSpec spec) throws Exception {
        Path state = LocalStateDirectory.create(LocalStateDirectory.defaultRoot(), "vigil-bench-state");
        FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(plugins)
                .stateDirectory(state).storeSize(64 << 20, 8L << 30).build().start();
        ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
        try {
            new ControlPlaneClient(channel, Duration.ofSeconds(60)).deploy(spec);
        } finally {
            channel.shutdownNow();
        }
        return new CheckpointedHost(state, host, spec.getName());
    }

    public String endpoint() {
        return host.endpoint();
    }

    /** The operator's shards' pause buckets so far, pooled. */
    public PauseReading reading() {
        ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
        try {
            long[] bounds = null;
            long[] counts = null;
            for (ShardStatus shard : new ControlPlaneClient(channel, Duration.ofSeconds(60)).describe(operator).getShardsList()) {
                CheckpointPauses pauses = shard.getCheckpointPauses();
                if (bounds == null) {
                    bounds = pauses.getLeMicrosList().stream().mapToLong(Long::longValue).toArray();
                    counts = new long[bounds.length];
                }
                for (int i = 0; i < counts.length; i++) {
                    counts[i] += pauses.getCounts(i);
                }
            }
            return new PauseReading(bounds, counts);
        } finally {
            channel.shutdownNow();
        }
    }

    /** Cumulative bucket counts: {@code counts[i]} pauses took at most {@code boundsMicros[i]}. */
    public record PauseReading(long[] boundsMicros, long[] counts) {
        /** The pauses between {@code before} and this reading. */
        public ShardPauses since(PauseReading before) {
            long[] between = new long[counts.length];
            for (int i = 0; i < counts.length; i++) {
                between[i] = counts[i] - before.counts[i];
            }
            long total = between[between.length - 1];
            return new ShardPauses(total, bound(between, total * 0.5), bound(between, total * 0.99), bound(between, total));
        }

        private long bound(long[] cumulative, double rank) {
            for (int i = 0; i < cumulative.length; i++) {
                if (cumulative[i] >= rank && cumulative[i] > 0) {
                    return boundsMicros[i];
                }
            }
            return 0;
        }
    }

    /** How long a run's checkpoints held the shards: the bucket bound each percentile falls under, microseconds. */
    public record ShardPauses(long count, long p50AtMostMicros, long p99AtMostMicros, long maxAtMostMicros) {
    }

    @Override
    public void close() throws Exception {
        host.close();
        LocalStateDirectory.delete(state);
    }
}
