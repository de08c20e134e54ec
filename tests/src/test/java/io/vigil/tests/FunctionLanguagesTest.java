package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.ResultBatch;
import io.vigil.api.proto.SwapReport;
import io.vigil.api.proto.TakeOver;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.TransactionGenerator;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.examples.fraud.functions.RuleLanguage;
import io.vigil.examples.fraud.functions.SmallThenLarge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operators in the other languages — Java (the fraud example's SMALL_THEN_LARGE and VELOCITY,
 * shipped as a jar in the spec), JavaScript and SiddhiQL (the same rules as sources), Python (the
 * same rules in a process of their own, over gRPC): the same alerts as the EPL rules on the same
 * seeded stream; state restored from a checkpoint (the host's for Java and JavaScript, Siddhi's
 * own snapshot, the Python process's) and carried by an update (taken over, or rebuilt by replay);
 * and a rule swapped from EPL to Java and back, and from EPL to Python and back.
 */
class FunctionLanguagesTest {
    static final long EVENTS = ExactlyOnceFaultTest.EVENTS;
    static final long SEED = ExactlyOnceFaultTest.SEED;
    static final double FRAUD_RATE = ExactlyOnceFaultTest.FRAUD_RATE;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    static PythonOperatorProcess python;

    @TempDir
    Path state;

    TestHosts.Connected host;
    ManagedChannel channel;
    ControlPlaneClient control;

    @BeforeAll
    static void startPythonRules() throws Exception {
        python = FraudFunctions.pythonRules();
    }

    @AfterAll
    static void stopPythonRules() throws Exception {
        python.close();
    }

    @BeforeEach
    void connect() throws Exception {
        host = TestHosts.stateful(state);
        channel = host.channel();
        control = host.control();
    }

    @AfterEach
    void disconnect() {
        host.close();
    }

    @Test
    void theJavaJavaScriptSiddhiAndPythonRulesRaiseTheSameAlertsAsTheEplRules(@TempDir Path output) throws Exception {
        control.deploy(FraudRules.spec("epl-rules", FraudRules.statement("SMALL_THEN_LARGE") + FraudRules.statement("VELOCITY"), 2));
        List<String> operators = new ArrayList<>(List.of("epl-rules"));
        for (RuleLanguage language : RuleLanguage.values()) {
            for (String rule : List.of("small-then-large", "velocity")) {
                control.deploy(language.spec(language.id() + "-" + rule, rule, 2, python.target()));
                operators.add(language.id() + "-" + rule);
            }
        }
        // Flink's exactly-once file sink: should a task fail over, the committed alerts are still each once.
        StreamExecutionEnvironment env = ExactlyOnceFaultTest.environment();
        for (String operator : operators) {
            FraudDetectionJob.alerts(env, new FraudDetectionJob.Settings(host.host().endpoint(), operator, EVENTS, SEED, FRAUD_RATE,
                            256, Duration.ofMillis(2), 0))
                    .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                    .sinkTo(ExactlyOnceFaultTest.fileSink(output.resolve(operator))).setParallelism(1);
        }
        env.execute("EPL against Java");

        List<String> eplAlerts = ExactlyOnceFaultTest.committed(output.resolve("epl-rules"));
        for (String rule : List.of("SMALL_THEN_LARGE", "VELOCITY")) {
            List<String> expected = eplAlerts.stream().filter(a -> a.startsWith(rule + "/")).toList();
            assertThat(expected).as("EPL alerts of %s", rule).hasSizeGreaterThan(30);
            assertThat(expected).as("and they are the injected fraud").containsExactlyInAnyOrderElementsOf(
                    TransactionGenerator.groundTruth(SEED, EVENTS, FRAUD_RATE).stream()
                            .filter(e -> e.rule().name().equals(rule)).map(e -> e.rule() + "/" + e.txnId()).toList());
            String suffix = rule.equals("VELOCITY") ? "-velocity" : "-small-then-large";
            for (RuleLanguage language : RuleLanguage.values()) {
                assertThat(ExactlyOnceFaultTest.committed(output.resolve(language.id() + suffix)))
                        .as("%s alerts of %s, against EPL's", language, rule).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void aCheckpointHoldsTheStateTheHostKeepsForAJavaOperator() throws Exception {
        control.deploy(FraudFunctions.spec("java-restored", SmallThenLarge.class, 1));
        ByteString handle;
        try (RawStream stream = new RawStream(channel).open("java-restored", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(SwapStateTest.batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();
            handle = stream.checkpoint(1);
            stream.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
            assertThat(stream.next().getResults().getRowCount()).as("the large charge completes the small one").isEqualTo(1);
        }
        try (RawStream stream = new RawStream(channel).open("java-restored", 0, FraudRules.TRANSACTION, handle)) {
            stream.next();
            stream.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
            assertThat(stream.next().getResults().getRowCount()).as("restored: the small charge waits again").isEqualTo(1);
        }
        try (RawStream stream = new RawStream(channel).open("java-restored", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(SwapStateTest.batch(3, "c1", 300.00, 3_000), 3);
            assertThat(stream.next().getResults().getRowCount()).as("without the handle, the state goes on as it was").isZero();
        }
    }

    @Test
    void anUpdateTakesTheHostOwnedStateOver() throws Exception {
        control.deploy(FraudFunctions.spec("java-swapped", SmallThenLarge.class, 1).toBuilder().putOptions("large", "500").build());
        try (RawStream stream = new RawStream(channel).open("java-swapped", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(SwapStateTest.batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();

            assertThat(control.update(FraudFunctions.spec("java-swapped", SmallThenLarge.class, 1).toBuilder()
                    .putOptions("large", "200").build()).getVersion()).isEqualTo(2);
            SwapReport javaSwap = control.describe("java-swapped").getShards(0).getLastSwap();
            assertThat(javaSwap.getTakenOver()).isEqualTo(TakeOver.newBuilder().setUnit("keys").setCount(1).setOf(1).build());
            assertThat(javaSwap.getReplayed()).as("nothing else to replay").isFalse();

            stream.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
            ResultBatch results = stream.next().getResults();
            assertThat(results.getVersion()).isEqualTo(2);
            assertThat(results.getRowCount()).as("version 2 sees the small charge version 1 kept, with its own threshold").isEqualTo(1);
        }
    }

    @Test
    void aJavaScriptOperatorKeepsItsStateThroughACheckpointAndAnUpdateAndRefusesBadSyntaxWithItsPosition() throws Exception {
        control.deploy(FraudFunctions.javascript("js-swapped", "small-then-large", 1).toBuilder().putOptions("large", "500").build());
        try (RawStream stream = new RawStream(channel).open("js-swapped", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(SwapStateTest.batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();
            ByteString handle = stream.checkpoint(1);

            assertThat(control.update(FraudFunctions.javascript("js-swapped", "small-then-large", 1).toBuilder()
                    .putOptions("large", "200").build()).getVersion()).isEqualTo(2);
            assertThat(control.describe("js-swapped").getShards(0).getLastSwap().getTakenOver())
                    .isEqualTo(TakeOver.newBuilder().setUnit("keys").setCount(1).setOf(1).build());
            stream.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
            ResultBatch taken = stream.next().getResults();
            assertThat(taken.getVersion()).isEqualTo(2);
            assertThat(taken.getRowCount()).as("the new version completes the small charge the old one kept").isEqualTo(1);

            try (RawStream restored = new RawStream(channel).open("js-swapped", 0, FraudRules.TRANSACTION, handle)) {
                restored.next();
                restored.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
                assertThat(restored.next().getResults().getRowCount()).as("checkpoint 1 still holds the small charge").isEqualTo(1);
            }
        }
        var broken = FraudFunctions.javascript("js-swapped", "small-then-large", 1).toBuilder()
                .setSource("function process(txn, results) {\n  results.emit(;\n}\n").build();
        assertThatThrownBy(() -> control.update(broken)).isInstanceOfSatisfying(OperatorRejectedException.class, e -> {
            assertThat(e.diagnostics()).isNotEmpty();
            assertThat(e.diagnostics().get(0).getLine()).isEqualTo(2);
        });
        assertThat(control.describe("js-swapped").getVersion()).isEqualTo(2);
    }

    @Test
    void aSiddhiOperatorRestoresItsOwnSnapshotAndAnUpdateRebuildsItsStateByReplay() throws Exception {
        var v1 = FraudFunctions.siddhi("siddhi-stl", "small-then-large", 1).toBuilder().putOptions("retention", "1 day").build();
        control.deploy(v1);
        ByteString handle;
        try (RawStream stream = new RawStream(channel).open("siddhi-stl", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(SwapStateTest.batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();
            handle = stream.checkpoint(1);
            stream.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
            assertThat(stream.next().getResults().getRowCount()).isEqualTo(1);
        }
        try (RawStream stream = new RawStream(channel).open("siddhi-stl", 0, FraudRules.TRANSACTION, handle)) {
            stream.next();
            stream.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
            assertThat(stream.next().getResults().getRowCount()).as("Siddhi's snapshot of checkpoint 1 holds the small charge").isEqualTo(1);

            stream.send(SwapStateTest.batch(3, "c2", 1.00, 3_000), 3);
            stream.next();
            control.update(v1.toBuilder().setSource(v1.getSource() + "\n-- version 2\n").build());
            SwapStateTest.assertReplayed(control.describe("siddhi-stl").getShards(0).getLastSwap(), 2);
            stream.send(SwapStateTest.batch(4, "c2", 300.00, 4_000), 4);
            ResultBatch v2 = stream.next().getResults();
            assertThat(v2.getVersion()).isEqualTo(2);
            assertThat(v2.getRowCount()).as("version 2 rebuilt the small charge from the retained input").isEqualTo(1);
        }
    }

    @Test
    void aRuleSwapsFromEplToJavaAndBackCarryingItsStateByReplay() throws Exception {
        OperatorSpec epl = SwapStateTest.spec("across", 200, null);
        OperatorSpec java = FraudFunctions.spec("across", SmallThenLarge.class, 1).toBuilder().putOptions("retention", "1 day").build();
        control.deploy(epl);
        try (RawStream stream = new RawStream(channel).open("across", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(SwapStateTest.batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();

            control.update(java);
            SwapStateTest.assertReplayed(control.describe("across").getShards(0).getLastSwap(), 2);
            stream.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
            ResultBatch java2 = stream.next().getResults();
            assertThat(java2.getVersion()).isEqualTo(2);
            assertThat(java2.getRowCount()).as("the Java version completes the small charge the EPL version saw").isEqualTo(1);

            stream.send(SwapStateTest.batch(3, "c2", 1.00, 3_000), 3);
            stream.next();
            // The Java version's checkpoint is its snapshot; the host keeps the input within its retention all the same.
            stream.checkpoint(1);
            control.update(epl);
            stream.send(SwapStateTest.batch(5, "c2", 300.00, 4_000), 5);
            ResultBatch epl3 = stream.next().getResults();
            assertThat(epl3.getVersion()).isEqualTo(3);
            assertThat(epl3.getRowCount()).as("back in EPL, after a checkpoint of the Java version, the small charge still counts")
                    .isEqualTo(1);
        }
    }

    @Test
    void aPythonOperatorKeepsItsStateThroughACheckpointAnUpdateAndASwapToEplAndBack() throws Exception {
        OperatorSpec v1 = FraudFunctions.python("py-stl", "small-then-large", python.target(), 1).toBuilder()
                .putOptions("large", "500").putOptions("retention", "1 day").build();
        control.deploy(v1);
        try (RawStream stream = new RawStream(channel).open("py-stl", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(SwapStateTest.batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();
            ByteString handle = stream.checkpoint(1);

            assertThat(control.update(v1.toBuilder().putOptions("large", "200").build()).getVersion()).isEqualTo(2);
            TakeOver handedOver = control.describe("py-stl").getShards(0).getLastSwap().getTakenOver();
            assertThat(handedOver.getUnit()).as("the process's session state handed over").isEqualTo("bytes of the session's state");
            assertThat(handedOver.getCount()).isPositive();
            stream.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
            ResultBatch taken = stream.next().getResults();
            assertThat(taken.getVersion()).isEqualTo(2);
            assertThat(taken.getRowCount()).as("the new version completes the small charge the old one kept").isEqualTo(1);

            try (RawStream restored = new RawStream(channel).open("py-stl", 0, FraudRules.TRANSACTION, handle)) {
                restored.next();
                restored.send(SwapStateTest.batch(2, "c1", 300.00, 2_000), 2);
                assertThat(restored.next().getResults().getRowCount())
                        .as("the process's snapshot in checkpoint 1 still holds the small charge").isEqualTo(1);

                restored.send(SwapStateTest.batch(3, "c2", 1.00, 3_000), 3);
                restored.next();
                control.update(SwapStateTest.spec("py-stl", 200, null));
                SwapStateTest.assertReplayed(control.describe("py-stl").getShards(0).getLastSwap(), 3);
                restored.send(SwapStateTest.batch(4, "c3", 1.00, 3_500), 4);
                restored.next();
                control.update(v1.toBuilder().putOptions("large", "200").build());
                SwapStateTest.assertReplayed(control.describe("py-stl").getShards(0).getLastSwap(), 4);
                restored.send(SwapStateTest.batch(5, "c2", 300.00, 4_000), 5);
                ResultBatch python4 = restored.next().getResults();
                assertThat(python4.getVersion()).isEqualTo(4);
                assertThat(python4.getRowCount()).as("back in Python after EPL, the small charge Python saw first still counts")
                        .isEqualTo(1);
                restored.send(SwapStateTest.batch(6, "c3", 300.00, 4_500), 6);
                assertThat(restored.next().getResults().getRowCount()).as("and so does the one only EPL saw").isEqualTo(1);
            }
        }
        var missing = v1.toBuilder().putOptions("function", "impossible_travel").build();
        assertThatThrownBy(() -> control.update(missing)).isInstanceOfSatisfying(OperatorRejectedException.class,
                e -> assertThat(e.getMessage()).contains("runs no function 'impossible_travel'; it runs small_then_large, velocity"));
        assertThat(control.describe("py-stl").getVersion()).isEqualTo(4);
    }

    @Test
    void aHostRestartedWhileAPythonProcessIsDownDeploysItsOperatorAgainOnceTheProcessIsBack() throws Exception {
        try (PythonOperatorProcess own = FraudFunctions.pythonRules()) {
            control.deploy(FraudFunctions.python("py-later", "velocity", own.target(), 1));
            host.close();
            own.kill();
            host = TestHosts.stateful(state);
            channel = host.channel();
            control = host.control();
            assertThatThrownBy(() -> control.describe("py-later")).as("the process is down, so the host waits")
                    .isInstanceOfSatisfying(OperatorRejectedException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
            assertThatThrownBy(() -> control.deploy(FraudFunctions.python("py-new", "velocity", own.target(), 1)))
                    .as("a deploy now is unavailable, not refused")
                    .isInstanceOfSatisfying(OperatorRejectedException.class, e -> {
                        assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("cannot check function 'velocity' with the process at " + own.target());
                    });

            own.restart();
            TestHosts.await(() -> "redeployed within 30 s of the process coming back", Duration.ofSeconds(30),
                    () -> deployed("py-later"));
            assertThat(control.describe("py-later").getVersion()).isEqualTo(1);
            try (RawStream stream = new RawStream(channel).open("py-later", 0, FraudRules.TRANSACTION)) {
                stream.next();
                stream.send(SwapStateTest.batch(1, "c1", 10.00, 1_000), 1);
                assertThat(stream.next().getResults().getRowCount()).as("it serves again").isZero();
            }
        }
    }

    boolean deployed(String operator) {
        try {
            control.describe(operator);
            return true;
        } catch (OperatorRejectedException e) {
            return false;
        }
    }
}
