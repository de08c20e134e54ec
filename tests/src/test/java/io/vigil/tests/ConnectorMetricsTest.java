package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The connector's metrics reach Flink's reporters: a reporter configured on the MiniCluster, as
 * any reporter is, sees each subtask's events sent, results received and round trips, and they
 * add up to what the job sent and what its sink got.
 */
class ConnectorMetricsTest {
    static final long EVENTS = 20_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(reporting()).build());

    private static Configuration reporting() {
        Configuration configuration = new Configuration();
        configuration.setString("metrics.reporter.capture.factory.class", CapturingReporter.Factory.class.getName());
        return configuration;
    }

    @Test
    void eachSubtasksEventsResultsAndRoundTripsReachFlinksReporters() throws Exception {
        try (FunctionHost host = TestHosts.start()) {
            ManagedChannel channel = TestHosts.channel(host);
            try {
                TestHosts.control(channel).deploy(FraudRules.spec(FraudRules.OPERATOR, FraudRules.epl(), 2));
            } finally {
                channel.shutdownNow();
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            CollectingSink<Alert> alerts = new CollectingSink<>();
            FraudDetectionJob.alerts(env, new FraudDetectionJob.Settings(host.endpoint(), FraudRules.OPERATOR, EVENTS, 42, 0.003, 256,
                    Duration.ofMillis(2), 0)).sinkTo(alerts);
            CapturingReporter.expect(2 * 8);
            env.execute("connector metrics");
            // The job's end returns before its tasks' metric groups close: wait until both subtasks' eight metrics are read.
            assertThat(CapturingReporter.read.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            assertThat(CapturingReporter.sum("eventsSent")).isEqualTo(EVENTS);
            assertThat(CapturingReporter.sum("resultsReceived")).isEqualTo(alerts.results().size()).isPositive();
            assertThat(CapturingReporter.sum("roundTripMicros")).as("one round trip per event").isEqualTo(EVENTS);
            assertThat(CapturingReporter.sum("shardStreams")).as("two shards for each of two subtasks").isEqualTo(4);
            assertThat(CapturingReporter.FINAL.keySet()).anySatisfy(name -> assertThat(name)
                    .contains(".vigil.operator." + FraudRules.OPERATOR + ".eventsSent"));
        }
    }

    /** Keeps each Vigil metric's last value, read as Flink removes it at the job's end. */
    public static final class CapturingReporter implements MetricReporter {
        static final Map<String, Long> FINAL = new ConcurrentHashMap<>();

        static volatile java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(0);

        /** Forgets what was read, and opens a latch that {@code metrics} Vigil metrics read as removed release. */
        static void expect(int metrics) {
            FINAL.clear();
            read = new java.util.concurrent.CountDownLatch(metrics);
        }

        static long sum(String metric) {
            return FINAL.entrySet().stream().filter(entry -> entry.getKey().endsWith("." + metric)).mapToLong(Map.Entry::getValue).sum();
        }

        @Override
        public void open(MetricConfig config) {
        }

        @Override
        public void close() {
        }

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
            String identifier = group.getMetricIdentifier(name);
            if (!identifier.contains(".vigil.operator.")) {
                return;
            }
            if (metric instanceof Counter counter) {
                FINAL.put(identifier, counter.getCount());
            } else if (metric instanceof Histogram histogram) {
                FINAL.put(identifier, histogram.getCount());
            } else if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
                FINAL.put(identifier, number.longValue());
            }
            read.countDown();
        }

        public static final class Factory implements MetricReporterFactory {
            @Override
            public MetricReporter createMetricReporter(Properties properties) {
                return new CapturingReporter();
            }
        }
    }
}
