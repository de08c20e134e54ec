package io.vigil.runtime.console;

import io.vigil.api.proto.ThroughputSample;
import io.vigil.runtime.metrics.HostMetrics;
import io.vigil.runtime.operator.DeployedOperator;
import io.vigil.runtime.shard.Shard;
import io.vigil.runtime.shard.ShardStats;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per operator, one {@link ThroughputSample} a second over the last ten minutes: what the console
 * charts. {@link #sample()} runs once a second off the hot path, reading what the shards' stats
 * and the batch-time histograms already hold.
 */
public final class OperatorTimelines {
    static final int KEPT = 600;
    private static final double[] BOUNDS = HostMetrics.batchTimeBounds();
    private final Supplier<Collection<DeployedOperator>> operators;
    private final HostMetrics metrics;
    private final Map<String, Timeline> timelines = new ConcurrentHashMap<>();

    public OperatorTimelines(Supplier<Collection<DeployedOperator>> operators, HostMetrics metrics) {
        this.operators = operators;
        this.metrics = metrics;
    }

    /** Takes each operator's sample of the second since the last. */
    public void sample() {
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        Map<String, long[]> buckets = metrics.batchTimeBuckets();
        Set<String> present = new HashSet<>();
        for (DeployedOperator operator : operators.get()) {
            present.add(operator.name());
            timelines.computeIfAbsent(operator.name(), name -> new Timeline())
                    .sample(operator.shards(), buckets.get(operator.name()), now, nanos);
        }
        timelines.keySet().retainAll(present);
    }

    /** Oldest first; empty for an operator not sampled yet. */
    public List<ThroughputSample> samples(String operator) {
        Timeline timeline = timelines.get(operator);
        return timeline == null ? List.of() : timeline.samples();
    }

    /** The newest sample, or an empty one. */
    public ThroughputSample latest(String operator) {
        Timeline timeline = timelines.get(operator);
        return timeline == null ? ThroughputSample.getDefaultInstance() : timeline.latest();
    }

    /** The value below which {@code quantile} of the batches counted in {@code counts} fell, interpolated in its bucket, in ms. */
    static double quantileMillis(long[] counts, double quantile) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0) {
            return 0;
        }
        double rank = quantile * total;
        long below = 0;
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] > 0 && below + counts[b] >= rank) {
                if (b >= BOUNDS.length) {
                    return BOUNDS[BOUNDS.length - 1] * 1000;
                }
                double lower = b == 0 ? 0 : BOUNDS[b - 1];
                return (lower + (BOUNDS[b] - lower) * (rank - below) / counts[b]) * 1000;
            }
            below += counts[b];
        }
        return BOUNDS[BOUNDS.length - 1] * 1000;
    }

    private static final class Timeline {
        private final ArrayDeque<ThroughputSample> samples = new ArrayDeque<>();
        private long events = -1;
        private long results;
        private long[] buckets = new long[0];
        private long atNanos;

        synchronized void sample(List<Shard> shards, long[] bucketsNow, long now, long nanos) {
            long eventsNow = 0;
            long resultsNow = 0;
            double lag = 0;
            double busy = 0;
            long held = 0;
            long queued = 0;
            for (Shard shard : shards) {
                ShardStats stats = shard.stats();
                eventsNow += stats.eventsProcessed();
                resultsNow += stats.resultsEmitted();
                if (stats.eventTime() != Long.MIN_VALUE) {
                    lag = Math.max(lag, (now - stats.eventTime()) / 1000.0);
                }
                busy = Math.max(busy, stats.busy());
                held += stats.eventsHeld();
                queued += stats.pendingBatches();
            }
            long[] current = bucketsNow == null ? new long[BOUNDS.length + 1] : bucketsNow;
            if (events >= 0 && eventsNow >= events) {
                double seconds = Math.max(1e-3, (nanos - atNanos) / 1e9);
                long[] inSecond = new long[current.length];
                for (int b = 0; b < current.length; b++) {
                    inSecond[b] = Math.max(0, current[b] - (b < buckets.length ? buckets[b] : 0));
                }
                if (samples.size() == KEPT) {
                    samples.removeFirst();
                }
                samples.addLast(ThroughputSample.newBuilder().setAtMillis(now)
                        .setEventsPerSecond((eventsNow - events) / seconds)
                        .setResultsPerSecond(Math.max(0, resultsNow - results) / seconds)
                        .setBatchP50Millis(quantileMillis(inSecond, 0.5))
                        .setBatchP99Millis(quantileMillis(inSecond, 0.99))
                        .setEventTimeLagSeconds(lag).setBusy(busy).setEventsHeld(held).setBatchesQueued(queued).build());
            }
            events = eventsNow;
            results = resultsNow;
            buckets = current;
            atNanos = nanos;
        }

        synchronized List<ThroughputSample> samples() {
            return List.copyOf(samples);
        }

        synchronized ThroughputSample latest() {
            return samples.isEmpty() ? ThroughputSample.getDefaultInstance() : samples.getLast();
        }
    }
}
