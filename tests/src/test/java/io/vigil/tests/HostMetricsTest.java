package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's Prometheus endpoint, scraped while a real stream runs: the counters say what was
 * sent, the histograms count the batches the shard processed, the gauges what is open now.
 */
class HostMetricsTest {
    @TempDir
    Path state;

    @Test
    void aScrapeDuringAStreamCountsWhatWasSent() throws Exception {
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).stateDirectory(state)
                .metricsPort(0).build().start()) {
            ManagedChannel channel = TestHosts.channel(host);
            try {
                TestHosts.control(channel).deploy(FraudRules.spec("metered", OperatorFeedsTest.ALL, 2));
                TestHosts.control(channel).update(FraudRules.spec("metered", OperatorFeedsTest.ALL.replace("'ALL'", "'EVERY'"), 2));
                String[] cards = new String[50];
                Arrays.fill(cards, "c1");
                try (RawStream stream = new RawStream(channel).open("metered", 1, DataPlaneErrorsTest.TXN, "job", "job/attempt-0")) {
                    assertThat(stream.next().hasOpened()).isTrue();
                    for (int batch = 0; batch < 10; batch++) {
                        stream.send(DataPlaneErrorsTest.transactions(1 + batch * 50L, cards), batch + 1);
                        assertThat(stream.next().hasResults()).isTrue();
                    }
                    stream.checkpoint(1);

                    String scrape = scrape(host.metricsPort());
                    Map<String, String> shard = Map.of("operator", "metered", "shard", "1");
                    assertThat(value(scrape, "vigil_shard_events_processed_total", shard)).isEqualTo(500);
                    assertThat(value(scrape, "vigil_shard_results_emitted_total", shard)).isEqualTo(500);
                    assertThat(value(scrape, "vigil_shard_open_streams", shard)).isEqualTo(1);
                    assertThat(value(scrape, "vigil_shard_batch_rows_count", shard)).isEqualTo(10);
                    assertThat(value(scrape, "vigil_shard_batch_rows_sum", shard)).isEqualTo(500);
                    assertThat(value(scrape, "vigil_shard_batch_seconds_count", shard)).isEqualTo(10);
                    assertThat(value(scrape, "vigil_shard_checkpoint_pause_seconds_count", shard)).isEqualTo(1);
                    assertThat(value(scrape, "vigil_shard_events_processed_total", Map.of("operator", "metered", "shard", "0")))
                            .as("the other shard saw nothing").isZero();
                    assertThat(value(scrape, "vigil_operator_info", Map.of("operator", "metered", "language", "esper", "version", "2")))
                            .isEqualTo(1);
                    assertThat(value(scrape, "vigil_compile_seconds_count", Map.of("language", "esper"))).isEqualTo(2);
                    assertThat(value(scrape, "vigil_swap_pause_seconds_count", Map.of("operator", "metered")))
                            .as("the update switched both shards").isEqualTo(2);
                    assertThat(dashboardMetrics()).as("every metric the Grafana dashboard charts is in the scrape")
                            .allSatisfy(metric -> assertThat(scrape).contains("\n" + metric));
                    assertThat(value(scrape, "vigil_shard_event_time_lag_seconds", shard)).as("event times of 1970").isPositive();
                    assertThat(scrape).contains("vigil_store_info{mode=").contains("jvm_memory_used_bytes");
                }
                TestHosts.control(channel).undeploy("metered");
                assertThat(scrape(host.metricsPort())).as("an undeployed operator's series go").doesNotContain("operator=\"metered\"");
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** The metric names the Grafana dashboard's queries use. */
    static java.util.Set<String> dashboardMetrics() throws java.io.IOException {
        String dashboard = java.nio.file.Files.readString(Path.of("../k8s-operator/deploy/grafana/vigil.json"));
        java.util.Set<String> names = new java.util.TreeSet<>();
        java.util.regex.Matcher name = java.util.regex.Pattern.compile("\\b((?:vigil|jvm)_[a-z_]+)").matcher(dashboard);
        while (name.find()) {
            names.add(name.group(1));
        }
        assertThat(names).hasSizeGreaterThan(15);
        return names;
    }

    static String scrape(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sample of {@code name} whose labels include {@code labels}. */
    static double value(String scrape, String name, Map<String, String> labels) {
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String labelText = line.substring(name.length() + 1, line.indexOf('}'));
            if (labels.entrySet().stream().allMatch(label -> labelText.contains(label.getKey() + "=\"" + label.getValue() + "\""))) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sample of " + name + " with " + labels + " in:\n" + scrape);
    }
}
