package io.vigil.runtime.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vigil.runtime.operator.DeployedOperator;
import io.vigil.runtime.shard.Shard;
import io.vigil.runtime.shard.ShardMeters;
import io.vigil.runtime.shard.ShardStats;
import io.vigil.state.CheckpointStore;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A host's metrics, in Prometheus' registry: per operator and shard, what its stats say when
 * scraped (events, results, streams, held events, queued batches, busy, state bytes, watermark,
 * event-time lag), what its thread recorded as it went (batch time and size, time per event,
 * checkpoint pauses), compile times per language, swap pauses, the store, and the JVM's own.
 */
public final class HostMetrics {
    private static final String[] SHARD = {"operator", "shard"};
    private static final double[] BATCH_SECONDS_BOUNDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 1};
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram batchSeconds = Histogram.builder().name("vigil_shard_batch_seconds")
            .help("Time a shard's thread took to process one batch").labelNames(SHARD)
            .classicUpperBounds(BATCH_SECONDS_BOUNDS).withoutExemplars().register(registry);
    private final Histogram batchRows = Histogram.builder().name("vigil_shard_batch_rows")
            .help("Events in each batch a shard processed").labelNames(SHARD)
            .classicUpperBounds(1, 4, 16, 64, 256, 1024, 4096, 16384).withoutExemplars().register(registry);
    private final Histogram eventSeconds = Histogram.builder().name("vigil_shard_event_seconds")
            .help("A batch's processing time divided by its events").labelNames(SHARD)
            .classicUpperBounds(0.0000005, 0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.001)
            .withoutExemplars().register(registry);
    private final Histogram checkpointPauseSeconds = Histogram.builder().name("vigil_shard_checkpoint_pause_seconds")
            .help("How long each checkpoint held a shard's thread").labelNames(SHARD)
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
            .withoutExemplars().register(registry);
    private final Histogram compileSeconds = Histogram.builder().name("vigil_compile_seconds")
            .help("How long an operator's compile took, per language").labelNames("language")
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60).withoutExemplars().register(registry);
    private final Histogram swapPauseSeconds = Histogram.builder().name("vigil_swap_pause_seconds")
            .help("How long a shard held its streams at a version switch (an update's swap) or a live rescale's restore").labelNames("operator")
            .classicUpperBounds(0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .withoutExemplars().register(registry);

    /**
     * @param operators what the host runs, read at each scrape
     * @param store     the host's store, or null when it keeps no state
     */
    public HostMetrics(Supplier<Collection<DeployedOperator>> operators, CheckpointStore store) {
        shardCounter("vigil_shard_events_processed_total", "Events a shard processed", operators, ShardStats::eventsProcessed);
        shardCounter("vigil_shard_results_emitted_total", "Results a shard emitted", operators, ShardStats::resultsEmitted);
        shardCounter("vigil_shard_late_events_total", "Events that came after the watermark had passed them", operators,
                ShardStats::lateEvents);
        shardGauge("vigil_shard_open_streams", "Data-plane streams open on a shard", operators, ShardStats::openStreams);
        shardGauge("vigil_shard_events_held", "Events a shard holds until the watermark passes them", operators,
                ShardStats::eventsHeld);
        shardGauge("vigil_shard_batches_queued", "Batches a shard accepted and has not answered (credits in use)", operators,
                ShardStats::pendingBatches);
        shardGauge("vigil_shard_busy_ratio", "The fraction of about the last ten seconds a shard's thread spent working",
                operators, ShardStats::busy);
        shardGauge("vigil_shard_state_bytes", "Bytes of state a shard's latest checkpoint holds", operators, ShardStats::stateBytes);
        shardGauge("vigil_shard_version", "The operator version a shard runs", operators, ShardStats::version);
        GaugeWithCallback.builder().name("vigil_shard_watermark_seconds").help("A shard's watermark, event time in epoch seconds")
                .labelNames(SHARD).callback(callback -> eachShard(operators, (shard, stats) -> {
                    if (stats.watermark() != Long.MIN_VALUE) {
                        callback.call(stats.watermark() / 1000.0, shard);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("vigil_shard_event_time_lag_seconds")
                .help("Wall clock minus a shard's event time (how far the operator's clock trails now)")
                .labelNames(SHARD).callback(callback -> eachShard(operators, (shard, stats) -> {
                    if (stats.eventTime() != Long.MIN_VALUE) {
                        callback.call((System.currentTimeMillis() - stats.eventTime()) / 1000.0, shard);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("vigil_operator_info").help("Each operator this host runs: its language and version")
                .labelNames("operator", "language", "version").callback(callback -> {
                    for (DeployedOperator operator : operators.get()) {
                        callback.call(1, operator.name(), operator.definition().language(), Long.toString(operator.version()));
                    }
                }).register(registry);
        if (store != null) {
            GaugeWithCallback.builder().name("vigil_store_bytes").help("Bytes the state store's segments take on disk")
                    .callback(callback -> callback.call(store.bytesOnDisk())).register(registry);
            GaugeWithCallback.builder().name("vigil_store_info").help("The state store's durability mode").labelNames("mode")
                    .callback(callback -> callback.call(1, store.mode().name())).register(registry);
        }
        JvmMetrics.builder().register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The histograms shard {@code shard} of {@code operator} records into. */
    public ShardMeters shard(String operator, int shard) {
        String index = Integer.toString(shard);
        return new ShardMeters(batchSeconds.labelValues(operator, index), batchRows.labelValues(operator, index),
                eventSeconds.labelValues(operator, index), checkpointPauseSeconds.labelValues(operator, index),
                swapPauseSeconds.labelValues(operator));
    }

    /** Drops an undeployed operator's recorded series. */
    public void forget(String operator, int shards) {
        for (int s = 0; s < shards; s++) {
            String index = Integer.toString(s);
            for (Histogram histogram : new Histogram[] {batchSeconds, batchRows, eventSeconds, checkpointPauseSeconds}) {
                histogram.remove(operator, index);
            }
        }
        swapPauseSeconds.remove(operator);
    }

    /**
     * Per operator, the batches its shards here have processed so far, by bucket of
     * {@code vigil_shard_batch_seconds} (a count per bucket, the last one past the highest bound).
     */
    public Map<String, long[]> batchTimeBuckets() {
        Map<String, long[]> byOperator = new HashMap<>();
        for (HistogramSnapshot.HistogramDataPointSnapshot point : batchSeconds.collect().getDataPoints()) {
            ClassicHistogramBuckets buckets = point.getClassicBuckets();
            long[] counts = byOperator.computeIfAbsent(point.getLabels().get("operator"), o -> new long[buckets.size()]);
            for (int b = 0; b < buckets.size() && b < counts.length; b++) {
                counts[b] += buckets.getCount(b);
            }
        }
        return byOperator;
    }

    /** The upper bounds, in seconds, of {@link #batchTimeBuckets()}' buckets but the last. */
    public static double[] batchTimeBounds() {
        return BATCH_SECONDS_BOUNDS.clone();
    }

    public void compiled(String language, long nanos) {
        compileSeconds.labelValues(language).observe(nanos / 1e9);
    }

    private void shardCounter(String name, String help, Supplier<Collection<DeployedOperator>> operators,
            ToDoubleFunction<ShardStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(SHARD)
                .callback(callback -> eachShard(operators, (shard, stats) -> callback.call(value.applyAsDouble(stats), shard)))
                .register(registry);
    }

    private void shardGauge(String name, String help, Supplier<Collection<DeployedOperator>> operators,
            ToDoubleFunction<ShardStats> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(SHARD)
                .callback(callback -> eachShard(operators, (shard, stats) -> callback.call(value.applyAsDouble(stats), shard)))
                .register(registry);
    }

    private interface ShardReading {
        void read(String[] labels, ShardStats stats);
    }

    private static void eachShard(Supplier<Collection<DeployedOperator>> operators, ShardReading reading) {
        for (DeployedOperator operator : operators.get()) {
            for (Shard shard : operator.shards()) {
                ShardStats stats = shard.stats();
                reading.read(new String[] {operator.name(), Integer.toString(stats.shard())}, stats);
            }
        }
    }
}
