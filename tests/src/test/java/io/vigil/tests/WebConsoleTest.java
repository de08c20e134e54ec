package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.vigil.api.proto.ConsoleOperator;
import io.vigil.api.proto.HostFrame;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The host's web console in headless Chromium, against a real host with a stream running and
 * checkpointing: the page lists the operator, its charts move, its checkpoints show, a new
 * version typed into the page swaps in and appears in the swap history and the diff, a source
 * that does not compile is answered with its line and column, and no event is lost.
 */
class WebConsoleTest {
    static final String EVERY = OperatorFeedsTest.ALL.replace("'ALL'", "'EVERY'");

    @TempDir
    Path state;

    @Test
    void thePageChartsARunningStreamAndSwapsInANewVersion() throws Exception {
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).stateDirectory(state)
                .consolePort(0).build().start()) {
            ManagedChannel channel = TestHosts.channel(host);
            Feed feed = new Feed(channel);
            try (ConsoleBrowser browser = ConsoleBrowser.open()) {
                TestHosts.control(channel).deploy(FraudRules.spec("watched", OperatorFeedsTest.ALL, 2));
                feed.start();
                browser.driver.get(host.consoleUrl());
                WebElement row = browser.await("the operator listed", Duration.ofSeconds(20),
                        d -> d.findElement(By.cssSelector("#operators tbody tr[data-name='watched']")));
                assertThat(row.getText()).contains("esper").contains("2 (2)");
                row.click();
                browser.await("the operator shown", Duration.ofSeconds(10), d -> d.findElement(By.id("operator")).isDisplayed());
                WebElement throughput = browser.driver.findElement(By.id("throughput-chart"));
                browser.await("three seconds charted", Duration.ofSeconds(20),
                        d -> Integer.parseInt(throughput.getAttribute("data-points")) >= 3);
                int points = Integer.parseInt(throughput.getAttribute("data-points"));
                browser.await("the charts move", Duration.ofSeconds(10),
                        d -> Integer.parseInt(throughput.getAttribute("data-points")) > points
                                && Double.parseDouble(throughput.getAttribute("data-latest")) > 0);
                assertThat(throughput.findElements(By.tagName("canvas"))).as("uPlot drew the chart").isNotEmpty();
                assertThat(browser.driver.findElement(By.id("latency-chart")).findElements(By.tagName("canvas"))).isNotEmpty();
                browser.await("a durable checkpoint listed", Duration.ofSeconds(20),
                        d -> d.findElement(By.cssSelector("#checkpoints tbody")).getText().contains("durable"));
                assertThat(browser.driver.findElement(By.id("read-only")).isDisplayed()).isFalse();
                browser.screenshot("console-operator");

                WebElement source = browser.driver.findElement(By.id("source"));
                assertThat(source.getAttribute("value")).isEqualTo(OperatorFeedsTest.ALL);
                source.clear();
                source.sendKeys(EVERY);
                browser.driver.findElement(By.id("swap")).click();
                browser.await("version 2 swapped in", Duration.ofSeconds(30),
                        d -> d.findElement(By.id("update-result")).getText().equals("version 2 swapped in"));
                List<WebElement> swaps = browser.await("both shards' switches in the history", Duration.ofSeconds(10), d -> {
                    List<WebElement> rows = d.findElements(By.cssSelector("#swaps tbody tr[data-version='2']"));
                    return rows.size() == 2 ? rows : null;
                });
                for (WebElement swap : swaps) {
                    assertThat(swap.getText()).contains("update").contains("1 → 2").containsPattern("\\d+(\\.\\d+)? (µs|ms)");
                }
                assertThat(browser.driver.findElement(By.cssSelector("#diff tr.changed td.del")).getText()).contains("'ALL'");
                assertThat(browser.driver.findElement(By.cssSelector("#diff tr.changed td.add")).getText()).contains("'EVERY'");
                assertThat(browser.driver.findElement(By.id("diff-summary")).getText()).isEqualTo("+1 −1 lines");
                long before = feed.results.get();
                browser.await("the stream goes on after the swap", Duration.ofSeconds(20), d -> feed.results.get() > before + 500);
                browser.driver.findElement(By.id("diff")).click();
                browser.screenshot("console-swap");

                source.clear();
                source.sendKeys("select nonsense from");
                browser.driver.findElement(By.id("swap")).click();
                WebElement diagnostic = browser.await("the compile error shown", Duration.ofSeconds(30),
                        d -> d.findElement(By.cssSelector("#diagnostics li")));
                assertThat(diagnostic.getText()).startsWith("line 1, column ");
                assertThat(browser.driver.findElement(By.id("update-result")).getAttribute("class")).isEqualTo("bad");
            } finally {
                feed.finish();
                channel.shutdownNow();
            }
            assertThat(rawStatusLine(host.consoleUrl(), "GET /api/operators HTTP/1.1\r\nHost: rebound.example\r\n"))
                    .as("a loopback console answers no page whose name was rebound to 127.0.0.1").contains(" 421 ");
            assertThat(rawStatusLine(host.consoleUrl(), "POST /api/operator/update HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Origin: http://elsewhere.example\r\nX-Vigil-Console: 1\r\nContent-Length: 2\r\n\r\n{}"))
                    .as("a change from another origin").contains(" 403 ");
            ConsoleOperator after = read(host.consoleUrl() + "api/operator?name=watched");
            assertThat(after.getStatus().getVersion()).as("the version that did not compile changed nothing").isEqualTo(2);
            assertThat(after.getStatus().getShardsList().stream().mapToLong(s -> s.getEventsProcessed()).sum())
                    .as("every event sent was processed, across the swap").isEqualTo(feed.sent);
            assertThat(after.getVersionsList()).extracting(v -> v.getSource()).containsExactly(EVERY, OperatorFeedsTest.ALL);
            assertThat(after.getSamplesCount()).isGreaterThan(3);
        }
    }

    /** The status line a request written by hand is answered with (headers a Java HTTP client would not send). */
    static String rawStatusLine(String consoleUrl, String request) throws Exception {
        URI console = URI.create(consoleUrl);
        try (java.net.Socket socket = new java.net.Socket(console.getHost(), console.getPort())) {
            socket.getOutputStream().write((request.contains("\r\n\r\n") ? request : request + "\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    static ConsoleOperator read(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        ConsoleOperator.Builder view = ConsoleOperator.newBuilder();
        JsonFormat.parser().merge(response.body(), view);
        return view.build();
    }

    /** One stream into shard 1: a batch of 50 transactions every 10 ms, a checkpoint every 25 batches. */
    private static final class Feed {
        private static final String[] CARDS = new String[50];
        private final ManagedChannel channel;
        private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor(
                runnable -> new Thread(runnable, "console-test-feed"));
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong results = new AtomicLong();
        private volatile long sent;
        private RawStream stream;
        private long batch;
        private long checkpoint;

        static {
            Arrays.fill(CARDS, "c1");
        }

        Feed(ManagedChannel channel) {
            this.channel = channel;
        }

        void start() throws InterruptedException {
            stream = new RawStream(channel).open("watched", 1, DataPlaneErrorsTest.TXN, "job", "job/attempt-0");
            assertThat(stream.next().hasOpened()).isTrue();
            pace.scheduleAtFixedRate(this::sendOne, 0, 10, TimeUnit.MILLISECONDS);
        }

        /** Sends a batch and waits for its answer; a failure stops the feed (its runs end) and is reported by finish. */
        private void sendOne() {
            try {
                stream.send(DataPlaneErrorsTest.transactions(1 + batch * CARDS.length, CARDS), ++batch);
                HostFrame answer = stream.next();
                assertThat(answer.hasResults()).as("answer: %s", answer).isTrue();
                sent += CARDS.length;
                results.addAndGet(CARDS.length);
                if (batch % 25 == 0) {
                    stream.checkpoint(++checkpoint);
                }
            } catch (Throwable e) {
                failure.set(e);
                throw new IllegalStateException("the feed stopped", e);
            }
        }

        void finish() throws InterruptedException {
            pace.shutdown();
            assertThat(pace.awaitTermination(30, TimeUnit.SECONDS)).as("the feed's last batch answered").isTrue();
            if (stream != null) {
                stream.close();
            }
            if (failure.get() != null) {
                throw new AssertionError("the stream failed", failure.get());
            }
        }
    }
}
