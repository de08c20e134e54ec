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
 * A function host in this process with its store on tmpfs, started fresh for one checkpointed run,
 * so the pauses its shards report (Describe) are that run's alone.
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
        CheckpointedHost started = new CheckpointedHost(state, host, spec.getName());
        started.control(control -> control.deploy(spec));
        return started;
    }

    public String endpoint() {
        return host.endpoint();
    }

    /** Over the operator's shards: checkpoints taken, and the highest p50, p99 and longest pause of any shard. */
    public CheckpointPauses shardPauses() throws Exception {
        CheckpointPauses.Builder all = CheckpointPauses.newBuilder();
        control(control -> {
            for (ShardStatus shard : control.describe(operator).getShardsList()) {
                CheckpointPauses pauses = shard.getCheckpointPauses();
                all.setCount(all.getCount() + pauses.getCount())
                        .setP50Micros(Math.max(all.getP50Micros(), pauses.getP50Micros()))
                        .setP99Micros(Math.max(all.getP99Micros(), pauses.getP99Micros()))
                        .setMaxMicros(Math.max(all.getMaxMicros(), pauses.getMaxMicros()));
            }
            return null;
        });
        return all.build();
    }

    private interface Call {
        Object on(ControlPlaneClient control);
    }

    private void control(Call call) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
        try {
            call.on(new ControlPlaneClient(channel, Duration.ofSeconds(60)));
        } finally {
            channel.shutdownNow();
        }
    }

    @Override
    public void close() throws Exception {
        host.close();
        LocalStateDirectory.delete(state);
    }
}
