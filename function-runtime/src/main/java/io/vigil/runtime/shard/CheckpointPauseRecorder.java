package io.vigil.runtime.shard;

import io.vigil.api.proto.CheckpointPauses;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** How long each checkpoint held a shard's thread: recorded by that thread, summarised for any reader. */
final class CheckpointPauseRecorder {
    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);

    void recordValue(long nanos) {
        recorder.recordValue(Math.max(0, nanos / 1000));
    }

    synchronized CheckpointPauses summary() {
        total.add(recorder.getIntervalHistogram());
        return CheckpointPauses.newBuilder()
                .setCount(total.getTotalCount())
                .setP50Micros(total.getValueAtPercentile(50))
                .setP99Micros(total.getValueAtPercentile(99))
                .setMaxMicros(total.getMaxValue())
                .build();
    }
}
