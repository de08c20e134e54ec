package io.vigil.runtime.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.runtime.metrics.HostMetrics;
import org.junit.jupiter.api.Test;

/** The batch-time percentiles the console charts, read from a second's worth of histogram buckets. */
class OperatorTimelinesTest {
    // Upper bounds in seconds: 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, ... 1, then past 1.
    private static final int BUCKETS = HostMetrics.batchTimeBounds().length + 1;

    @Test
    void noBatchesIsZero() {
        assertThat(OperatorTimelines.quantileMillis(new long[BUCKETS], 0.99)).isZero();
    }

    @Test
    void aQuantileIsInterpolatedInsideItsBucket() {
        long[] counts = new long[BUCKETS];
        counts[4] = 100; // (0.5 ms, 1 ms]
        assertThat(OperatorTimelines.quantileMillis(counts, 0.5)).isCloseTo(0.75, within(1e-9));
        assertThat(OperatorTimelines.quantileMillis(counts, 0.99)).isCloseTo(0.995, within(1e-9));
    }

    @Test
    void theTailLandsInTheBucketThatHoldsIt() {
        long[] counts = new long[BUCKETS];
        counts[0] = 98; // up to 0.05 ms
        counts[8] = 2; // (10 ms, 25 ms]
        assertThat(OperatorTimelines.quantileMillis(counts, 0.5)).isLessThanOrEqualTo(0.05);
        assertThat(OperatorTimelines.quantileMillis(counts, 0.99)).isBetween(10.0, 25.0);
    }

    @Test
    void pastTheHighestBoundIsThatBound() {
        long[] counts = new long[BUCKETS];
        counts[BUCKETS - 1] = 5;
        assertThat(OperatorTimelines.quantileMillis(counts, 0.5)).isEqualTo(1000.0);
    }
}
