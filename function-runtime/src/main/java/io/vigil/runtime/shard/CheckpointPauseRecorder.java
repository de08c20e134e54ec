package io.vigil.runtime.shard;

import io.vigil.api.proto.CheckpointPauses;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** How long each checkpoint held a shard's thread: recorded by that thread, summarised for any reader. */
final class CheckpointPauseRecorder {
    private static final long[] BUCKETS_MICROS = {100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000,
        1_000_000, Long.MAX_VALUE};
    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);

    void recordValue(long nanos) {
        recorder.recordValue(Math.max(0, nanos / 1000));
    }

    synchronized CheckpointPauses summary() {
        total.add(recorder.getIntervalHistogram());
        CheckpointPauses.Builder summary = CheckpointPauses.newBuilder()
                .setCount(total.getTotalCount())
                .setP50Micros(total.getValueAtPercentile(50))
                .setP99Micros(total.getValueAtPercentile(99))
                .setMaxMicros(total.getMaxValue());
        for (long bound : BUCKETS_MICROS) {
            summary.addLeMicros(bound).addCounts(bound == Long.MAX_VALUE ? total.getTotalCount()
                    : total.getCountBetweenValues(0, total.highestEquivalentValue(bound)));
        }
        return summary.build();
    }
}
