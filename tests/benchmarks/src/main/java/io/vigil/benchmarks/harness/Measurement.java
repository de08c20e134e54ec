package io.vigil.benchmarks.harness;

import org.HdrHistogram.Histogram;

/** One run of one variant: how many events in how long, and the latencies it timed (microseconds). */
record Measurement(long events, long nanos, long alerts, long latencySamples, double p50Millis, double p99Millis,
                   double p999Millis, double maxMillis) {

    static Measurement of(long events, long nanos, long alerts, Histogram latencyMicros) {
        return new Measurement(events, nanos, alerts, latencyMicros.getTotalCount(),
                latencyMicros.getValueAtPercentile(50) / 1000.0, latencyMicros.getValueAtPercentile(99) / 1000.0,
                latencyMicros.getValueAtPercentile(99.9) / 1000.0, latencyMicros.getMaxValue() / 1000.0);
    }

    double eventsPerSecond() {
        return events * 1e9 / nanos;
    }
}
