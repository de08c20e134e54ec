package io.vigil.benchmarks.harness;

import io.vigil.flink.VigilTelemetry;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one run's checkpoints cost, in milliseconds where printed.
 *
 * @param snapshotMicros how long each held a connector subtask in {@code snapshotState}
 * @param durableMicros  from each barrier to every shard's acknowledgement that it is durable
 * @param shardPauses    how long each held a shard's thread, from the host's Describe
 */
public record CheckpointFigures(long completed, Histogram snapshotMicros, Histogram durableMicros, CheckpointedHost.ShardPauses shardPauses) {
    public static final String EXPLAINED = "snapshotState: how long each checkpoint held a connector subtask (the barrier"
            + " handed on, the handles written); shard pause: how long each held a shard's thread (the state at the barrier"
            + " written), as the bucket bound (0.1, 0.25, 0.5, 1, 2.5, 5, 10 ms…) its p99 and longest fall under, from the"
            + " host's Describe; durable: from the barrier to every shard's acknowledgement that the store made it durable"
            + " (Flink's asynchronous part, off the task thread).";

    public static CheckpointFigures of(VigilTelemetry telemetry, CheckpointedHost.ShardPauses shardPauses) {
        return new CheckpointFigures(telemetry.checkpointsCompleted(), telemetry.checkpointPauseMicros(),
                telemetry.checkpointDurableMicros(), shardPauses);
    }

    public String summary() {
        return String.format(Locale.ROOT, "%d checkpoints: snapshotState p99 %.3f ms; shard pause p99 ≤ %s ms, max ≤ %s ms"
                        + " (%d pauses); durable p50 %.1f ms, p99 %.1f ms", completed, snapshotMicros.getValueAtPercentile(99) / 1000.0,
                millis(shardPauses.p99AtMostMicros()), millis(shardPauses.maxAtMostMicros()), shardPauses.count(),
                durableMicros.getValueAtPercentile(50) / 1000.0, durableMicros.getValueAtPercentile(99) / 1000.0);
    }

    private static String millis(long micros) {
        return micros == Long.MAX_VALUE ? "∞" : String.format(Locale.ROOT, "%s", micros / 1000.0);
    }
}
