package io.vigil.runtime.shard;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;

/**
 * What a shard's thread records as it works, into histograms bound to its labels once, so
 * recording takes no lock and nothing per event: each batch's processing time and rows (164 ns and
 * 48 bytes, in Prometheus' histograms, per batch: {@code MetricsRecordingBenchmark}), and each
 * checkpoint's pause. Everything else about a shard is read from its stats when scraped.
 */
public final class ShardMeters {
    private final DistributionDataPoint batchSeconds;
    private final DistributionDataPoint batchRows;
    private final DistributionDataPoint eventSeconds;
    private final DistributionDataPoint checkpointPauseSeconds;
    private final DistributionDataPoint swapPauseSeconds;

    public ShardMeters(DistributionDataPoint batchSeconds, DistributionDataPoint batchRows, DistributionDataPoint eventSeconds,
                       DistributionDataPoint checkpointPauseSeconds, DistributionDataPoint swapPauseSeconds) {
        this.batchSeconds = batchSeconds;
        this.batchRows = batchRows;
        this.eventSeconds = eventSeconds;
        this.checkpointPauseSeconds = checkpointPauseSeconds;
        this.swapPauseSeconds = swapPauseSeconds;
    }

    public void batch(long nanos, int rows) {
        batchSeconds.observe(nanos / 1e9);
        batchRows.observe(rows);
        if (rows > 0) {
            eventSeconds.observe(nanos / 1e9 / rows);
        }
    }

    public void checkpointPause(long nanos) {
        checkpointPauseSeconds.observe(nanos / 1e9);
    }

    void swapPause(long micros) {
        swapPauseSeconds.observe(micros / 1e6);
    }
}
