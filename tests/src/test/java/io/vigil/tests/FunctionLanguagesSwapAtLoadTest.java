package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.TransactionGenerator;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.examples.fraud.functions.RuleLanguage;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hot swaps in every language while a Flink job streams through SMALL_THEN_LARGE and VELOCITY
 * with checkpoints every 300 ms: a new version in the same language (state taken over, or rebuilt
 * by replay for SiddhiQL), then the rule moved to EPL, then back to the language (both by replay).
 * No version changes what a rule computes, so whatever version processed an event, the alerts
 * must be exactly the injected fraud — a state dropped at a swap loses the fraud whose charges
 * straddle it (with {@code swap-state: fresh} on the updates, every language fails here) — and
 * every event must be processed exactly once.
 */
class FunctionLanguagesSwapAtLoadTest {
    static final long EVENTS = 80_000;
    static final double RATE = 10_000;
    static final double FRAUD_RATE = 0.1;
    static final long SEED = 23;
    static final int SHARDS = 2;
    static final List<String> RULES = List.of("small-then-large", "velocity");

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    @TempDir
    Path state;

    @ParameterizedTest
    @EnumSource(RuleLanguage.class)
    void swapsWithinTheLanguageToEplAndBackLoseNothingAndDuplicateNothing(RuleLanguage language) throws Exception {
        try (PythonOperatorProcess python = language.needsProcess() ? FraudFunctions.pythonRules() : null;
             FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).stateDirectory(state)
                     .build().start()) {
            String target = python == null ? null : python.target();
            ManagedChannel channel = TestHosts.channel(host);
            ControlPlaneClient control = TestHosts.control(channel);
            for (String rule : RULES) {
                control.deploy(inLanguage(language, rule, 1, target));
            }

            VigilTelemetry telemetry = VigilTelemetry.of(RULES.get(0));
            telemetry.reset();
            AtomicReference<Throwable> swapFailure = new AtomicReference<>();
            List<String> swaps = new ArrayList<>();
            Thread swapper = new Thread(() -> {
                try {
                    HotSwapAtLoadTest.awaitEvents(telemetry, EVENTS * 20 / 100);
                    swaps.addAll(swap(control, 2, rule -> inLanguage(language, rule, 2, target)));
                    HotSwapAtLoadTest.awaitEvents(telemetry, EVENTS * 45 / 100);
                    swaps.addAll(swap(control, 3, FunctionLanguagesSwapAtLoadTest::inEpl));
                    HotSwapAtLoadTest.awaitEvents(telemetry, EVENTS * 70 / 100);
                    swaps.addAll(swap(control, 4, rule -> inLanguage(language, rule, 4, target)));
                    assertThat(telemetry.eventsIn()).as("the last swap took effect before the stream ended").isLessThan(EVENTS);
                } catch (Throwable e) {
                    swapFailure.set(e);
                }
            }, "swapper");

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(300);
            CollectingSink<String> alerts = new CollectingSink<>();
            var settings = new FraudDetectionJob.Settings(host.endpoint(), RULES.get(0), EVENTS, SEED, FRAUD_RATE, 256,
                    Duration.ofMillis(2), RATE);
            var transactions = FraudDetectionJob.transactions(env, settings)
                    .map(HeldTail.<io.vigil.examples.fraud.Transaction>from(EVENTS * 9 / 10, swapper))
                    .returns(io.vigil.examples.fraud.Transaction.class).setParallelism(1);
            FraudDetectionJob.alerts(transactions, settings, RULES)
                    .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                    .sinkTo(alerts).setParallelism(1);
            swapper.start();
            env.execute("swaps under load in " + language);
            swapper.join(TimeUnit.SECONDS.toMillis(60));
            if (swapFailure.get() != null) {
                throw new AssertionError("a swap failed after " + swaps, swapFailure.get());
            }
            System.out.println("FunctionLanguagesSwapAtLoadTest " + language + ": " + swaps);

            for (String rule : RULES) {
                OperatorStatus status = control.describe(rule);
                assertThat(status.getVersion()).isEqualTo(4);
                assertThat(status.getShardsList().stream().mapToLong(s -> s.getEventsProcessed()).sum())
                        .as("events %s processed, across its four versions", rule).isEqualTo(EVENTS);
            }
            List<String> expected = TransactionGenerator.groundTruth(SEED, EVENTS, FRAUD_RATE).stream()
                    .filter(e -> e.rule().name().equals("SMALL_THEN_LARGE") || e.rule().name().equals("VELOCITY"))
                    .map(e -> e.rule() + "/" + e.txnId())
                    .toList();
            assertThat(expected).hasSizeGreaterThan(500);
            assertThat(alerts.results()).as("alerts through four versions in two languages")
                    .containsExactlyInAnyOrderElementsOf(expected);
            alerts.release();
            channel.shutdownNow();
        }
    }

    /**
     * The rule in {@code language}; its revision changes nothing it computes. The host keeps a day
     * of input beside its snapshots, so that EPL can take over from it by replay and it from EPL.
     */
    static OperatorSpec inLanguage(RuleLanguage language, String rule, int revision, String pythonTarget) {
        OperatorSpec spec = language.spec(rule, rule, SHARDS, pythonTarget);
        OperatorSpec.Builder revised = spec.toBuilder().putOptions("retention", "1 day");
        if (language == RuleLanguage.SIDDHI) {
            revised.setSource(spec.getSource() + "\n-- revision " + revision + "\n");
        } else {
            revised.putOptions("revision", Integer.toString(revision));
        }
        return revised.build();
    }

    static OperatorSpec inEpl(String rule) {
        return FraudRules.spec(rule, FraudRules.statement(rule.toUpperCase(java.util.Locale.ROOT).replace('-', '_')), SHARDS);
    }

    static List<String> swap(ControlPlaneClient control, int version, java.util.function.Function<String, OperatorSpec> spec) {
        List<String> swaps = new ArrayList<>();
        for (String rule : RULES) {
            OperatorSpec next = spec.apply(rule);
            long start = System.nanoTime();
            OperatorStatus status = control.update(next);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(status.getVersion()).isEqualTo(version);
            for (var shard : control.describe(rule).getShardsList()) {
                assertThat(shard.getLastSwap().getVersion()).as("%s shard %d", rule, shard.getShard()).isEqualTo(version);
                assertThat(shard.getLastSwap().getStateCarried()).as("%s shard %d carries state", rule, shard.getShard()).isTrue();
            }
            swaps.add(rule + " v" + version + " (" + next.getLanguage() + ") " + millis + " ms");
        }
        return swaps;
    }
}
