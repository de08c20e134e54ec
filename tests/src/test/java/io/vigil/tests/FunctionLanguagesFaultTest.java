package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.examples.fraud.functions.RuleLanguage;
import io.vigil.flink.VigilTelemetry;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exactly-once fault test for Java, JavaScript, SiddhiQL and Python operators (state the host
 * keeps, Siddhi's own snapshots, the Python process's): the host, a child process, is killed with
 * SIGKILL mid-stream and restarted on its store — or, for Python, the operator's own process is
 * killed and restarted empty — or the host halts in the middle of an update, one shard switched
 * to the new version and the update unanswered, and comes back on the version it recorded; Flink
 * restores its checkpoint and the shards their snapshots. Through Flink's exactly-once file sink,
 * the committed alerts of both rules are exactly the injected fraud.
 */
class FunctionLanguagesFaultTest {
    static final long EVENTS = ExactlyOnceFaultTest.EVENTS;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    @TempDir
    Path state;

    @TempDir
    Path output;

    /** Every language with its host killed mid-stream and during a swap; one that runs in a process of its own, that process too. */
    static Stream<Arguments> kills() {
        Stream<Arguments> hosts = Stream.of("host", "host during a swap")
                .flatMap(killed -> Stream.of(RuleLanguage.values()).map(language -> Arguments.of(language, killed)));
        Stream<Arguments> processes = Stream.of(RuleLanguage.values()).filter(RuleLanguage::needsProcess)
                .map(language -> Arguments.of(language, language.id() + " process"));
        return Stream.concat(hosts, processes);
    }

    @ParameterizedTest(name = "{0}, {1} killed")
    @MethodSource("kills")
    void aProcessKilledMidStreamLosesNothingAndDuplicatesNothing(RuleLanguage language, String killed) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        boolean duringSwap = killed.equals("host during a swap");
        HostProcess first = duringSwap ? HostProcess.start(state, port, "-Dvigil.fault.halt-after-switch=0") : HostProcess.start(state, port);
        AtomicReference<HostProcess> host = new AtomicReference<>(first);
        PythonOperatorProcess python = language.needsProcess() ? FraudFunctions.pythonRules() : null;
        // A failure anywhere below must not leave the host or Python processes running.
        try {
            String target = python == null ? null : python.target();
            List<OperatorSpec> operators = FunctionLanguagesSwapAtLoadTest.RULES.stream()
                    .map(rule -> FunctionLanguagesSwapAtLoadTest.inLanguage(language, rule, 1, target))
                    .toList();
            ManagedChannel channel = NettyChannelBuilder.forTarget(host.get().endpoint()).usePlaintext().build();
            ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(60));
            operators.forEach(control::deploy);
            channel.shutdownNow();

            VigilTelemetry telemetry = VigilTelemetry.of("small-then-large");
            telemetry.reset();
            AtomicReference<Throwable> swapFailure = new AtomicReference<>();
            Thread killer = switch (killed) {
                case "host" -> HostProcess.killAndRestartAfter(telemetry, EVENTS / 2, host, state, port);
                case "python process" -> killAndRestartAfter(telemetry, EVENTS / 2, python);
                default -> haltDuringASwapAndRestartAfter(telemetry, EVENTS / 2, host, state, port,
                        FunctionLanguagesSwapAtLoadTest.inLanguage(language, "small-then-large", 2, target), swapFailure);
            };

            StreamExecutionEnvironment env = ExactlyOnceFaultTest.environment();
            var settings = new FraudDetectionJob.Settings(host.get().endpoint(), "small-then-large", EVENTS,
                    ExactlyOnceFaultTest.SEED, ExactlyOnceFaultTest.FRAUD_RATE, 256, Duration.ofMillis(2), 15_000);
            HeldTail<Transaction> tail = HeldTail.from(EVENTS * 9 / 10, killer);
            DataStream<Transaction> transactions = FraudDetectionJob.transactions(env, settings)
                    .map(tail).returns(Transaction.class).setParallelism(1);
            FraudDetectionJob.alerts(transactions, settings, operators.stream().map(OperatorSpec::getName).toList())
                    .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                    .sinkTo(ExactlyOnceFaultTest.fileSink(output)).setParallelism(1);
            env.execute("exactly once in " + language + " with a host killed mid-stream");
            killer.join(TimeUnit.SECONDS.toMillis(60));
            if (swapFailure.get() != null) {
                throw new AssertionError("the crash during the swap did not go as planned", swapFailure.get());
            }
            if (duringSwap) {
                assertThat(host.get()).isNotSameAs(first);
                ManagedChannel restarted = NettyChannelBuilder.forTarget(host.get().endpoint()).usePlaintext().build();
                var status = new ControlPlaneClient(restarted, Duration.ofSeconds(60)).describe("small-then-large");
                restarted.shutdownNow();
                assertThat(status.getVersion()).as("the version the update recorded before it switched a shard").isEqualTo(2);
                for (var shard : status.getShardsList()) {
                    SwapStateTest.assertRestored(shard.getLastSwap(), 2, 1);
                }
            }

            // Events after the last checkpoint before the failure are sent again, unless that checkpoint
            // fell while the tail was held; either way the job must have been restored at least once.
            assertThat(telemetry.eventsIn()).as("events sent, counting those replayed after the failure").isGreaterThanOrEqualTo(EVENTS);
            assertThat(tail.restarts()).as("the job failed over and was restored mid-stream").isGreaterThanOrEqualTo(1);
            List<String> expected = new ArrayList<>();
            TransactionGenerator.groundTruth(ExactlyOnceFaultTest.SEED, EVENTS, ExactlyOnceFaultTest.FRAUD_RATE).stream()
                    .filter(e -> e.rule().name().equals("SMALL_THEN_LARGE") || e.rule().name().equals("VELOCITY"))
                    .forEach(e -> expected.add(e.rule() + "/" + e.txnId()));
            assertThat(expected).hasSizeGreaterThan(50);
            assertThat(ExactlyOnceFaultTest.committed(output)).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            host.get().close();
            if (python != null) {
                python.close();
            }
        }
    }

    /** Kills the Python process with SIGKILL once {@code events} were sent, and starts it again, empty, on its port. */
    static Thread killAndRestartAfter(VigilTelemetry telemetry, long events, PythonOperatorProcess python) {
        return TestHosts.afterEvents(telemetry, events, "python-killer", () -> {
            python.kill();
            TimeUnit.MILLISECONDS.sleep(300);
            python.restart();
        }, null);
    }

    /**
     * Once {@code events} were sent, updates an operator on a host started to halt right after its
     * first shard switches, so the update never returns; starts a new host on the store and port.
     */
    static Thread haltDuringASwapAndRestartAfter(VigilTelemetry telemetry, long events, AtomicReference<HostProcess> host,
                                                 Path stateDirectory, int port, OperatorSpec update, AtomicReference<Throwable> failure) {
        return TestHosts.afterEvents(telemetry, events, "swapper", () -> {
            ManagedChannel channel = NettyChannelBuilder.forTarget(host.get().endpoint()).usePlaintext().build();
            try {
                ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(60));
                assertThatThrownBy(() -> control.update(update)).as("the host dies before the update returns")
                        .isInstanceOf(RuntimeException.class);
                assertThat(host.get().awaitExit(60)).isTrue();
                host.set(HostProcess.start(stateDirectory, port));
            } finally {
                channel.shutdownNow();
            }
        }, failure);
    }
}
