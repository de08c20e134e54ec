package io.vigil.benchmarks.harness;

import io.vigil.api.proto.CheckpointPauses;
import io.vigil.flink.VigilTelemetry;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one run's checkpoints cost, in milliseconds where printed.
 *
 * @param snapshotMicros how long each held a connector subtask in {@code snapshotState}
 * @param durableMicros  from each barrier to every shard's acknowledgement that it is durable
 * @param shardPauses    how long each held a shard's thread, as the host reports it (worst shard)
 */
public record CheckpointFigures(long completed, Histogram snapshotMicros, Histogram durableMicros, CheckpointPauses shardPauses) {
    public static final String EXPLAINED = "snapshotState: how long each checkpoint held a connector subtask (the barrier"
            + " handed on, the handles written); shard pause: how long each held a shard's thread (the state at the barrier"
            + " written; the host's Describe, worst shard); durable: from the barrier to every shard's acknowledgement that"
            + " the store made it durable (Flink's asynchronous part, off the task thread).";

    public static CheckpointFigures of(VigilTelemetry telemetry, CheckpointedHost host) throws Exception {
        return new CheckpointFigures(telemetry.checkpointsCompleted(), telemetry.checkpointPauseMicros(),
                telemetry.checkpointDurableMicros(), host.shardPauses());
    }

    public String summary() {
        return String.format(Locale.ROOT, "%d checkpoints: snapshotState p99 %.3f ms; shard pause p99 %.3f ms, max %.3f ms;"
                        + " durable p50 %.1f ms, p99 %.1f ms", completed, snapshotMicros.getValueAtPercentile(99) / 1000.0,
                shardPauses.getP99Micros() / 1000.0, shardPauses.getMaxMicros() / 1000.0,
                durableMicros.getValueAtPercentile(50) / 1000.0, durableMicros.getValueAtPercentile(99) / 1000.0);
    }
}
