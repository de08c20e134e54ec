package io.vigil.flink.internal;

import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * One subtask's connector metrics in Flink's metric group of the operator (group {@code vigil},
 * then {@code operator} = the Vigil operator's name), so every Flink reporter sees them. Counters
 * are written by the task thread alone; the latency histogram takes each event's round trip
 * without a lock and is summarised when a reporter reads it.
 */
final class ConnectorMetrics {
    final Counter eventsSent = new SimpleCounter();
    final Counter resultsReceived = new SimpleCounter();
    final Counter backPressuredMillis = new SimpleCounter();
    // Written by the sender thread at a live rescale's cut-over.
    private volatile long streamsOpened;
    private final Recorder roundTripMicros = new Recorder(3);
    private final Histogram roundTrips = new Histogram(3);

    ConnectorMetrics(MetricGroup operatorGroup, String operator, LongSupplier eventsInFlight, LongSupplier ringOccupancy,
                     LongSupplier shardStreams) {
        MetricGroup group = operatorGroup.addGroup("vigil").addGroup("operator", operator);
        group.counter("eventsSent", eventsSent);
        group.counter("resultsReceived", resultsReceived);
        group.counter("backPressuredMillis", backPressuredMillis);
        group.gauge("eventsInFlight", (Gauge<Long>) eventsInFlight::getAsLong);
        group.gauge("ringOccupancy", (Gauge<Long>) ringOccupancy::getAsLong);
        group.gauge("shardStreams", (Gauge<Long>) shardStreams::getAsLong);
        group.gauge("streamsOpened", (Gauge<Long>) () -> streamsOpened);
        group.histogram("roundTripMicros", new org.apache.flink.metrics.Histogram() {
            @Override
            public void update(long value) {
                roundTripMicros.recordValue(value);
            }

            @Override
            public long getCount() {
                return count();
            }

            @Override
            public HistogramStatistics getStatistics() {
                return statistics(snapshot());
            }
        });
    }

    /** Task thread: one event's round trip, from the task handing it over to its round's results emitted. */
    void roundTrip(long micros) {
        roundTripMicros.recordValue(Math.max(0, micros));
    }

    /** Sender thread: streams opened to the operator's shards (at the start, and at each live rescale's cut-over). */
    void streamsOpened(int streams) {
        streamsOpened += streams;
    }

    private synchronized long count() {
        roundTrips.add(roundTripMicros.getIntervalHistogram());
        return roundTrips.getTotalCount();
    }

    private synchronized Histogram snapshot() {
        roundTrips.add(roundTripMicros.getIntervalHistogram());
        return roundTrips.copy();
    }

    private static HistogramStatistics statistics(Histogram histogram) {
        return new HistogramStatistics() {
            @Override
            public double getQuantile(double quantile) {
                return histogram.getValueAtPercentile(quantile * 100);
            }

            @Override
            public long[] getValues() {
                return new long[0];
            }

            @Override
            public int size() {
                return (int) Math.min(Integer.MAX_VALUE, histogram.getTotalCount());
            }

            @Override
            public double getMean() {
                return histogram.getMean();
            }

            @Override
            public double getStdDev() {
                return histogram.getStdDeviation();
            }

            @Override
            public long getMax() {
                return histogram.getMaxValue();
            }

            @Override
            public long getMin() {
                return histogram.getMinValue();
            }
        };
    }
}
