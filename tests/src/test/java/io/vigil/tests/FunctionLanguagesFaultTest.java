package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.TransactionGenerator;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.examples.fraud.functions.SmallThenLarge;
import io.vigil.examples.fraud.functions.Velocity;
import io.vigil.flink.VigilTelemetry;
import java.net.ServerSocket;
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
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exactly-once fault test for Java, JavaScript, SiddhiQL and Python operators (state the host
 * keeps, Siddhi's own snapshots, the Python process's): the host, a child process, is killed with
 * SIGKILL mid-stream and restarted on its store — or, for Python, the operator's own process is
 * killed and restarted empty; Flink restores its checkpoint and the shards their snapshots.
 * Through Flink's exactly-once file sink, the committed alerts of both rules are exactly the
 * injected fraud.
 */
class FunctionLanguagesFaultTest {
    static final long EVENTS = ExactlyOnceFaultTest.EVENTS;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    @TempDir
    Path state;

    @TempDir
    Path output;

    @ParameterizedTest(name = "{0}, {1} killed")
    @CsvSource({"java, host", "javascript, host", "siddhi, host", "python, host", "python, python process"})
    void aProcessKilledMidStreamLosesNothingAndDuplicatesNothing(String language, String killed) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        AtomicReference<HostProcess> host = new AtomicReference<>(HostProcess.start(state, port));
        PythonOperatorProcess python = language.equals("python") ? FraudFunctions.pythonRules() : null;
        List<OperatorSpec> operators = switch (language) {
            case "java" -> List.of(FraudFunctions.spec("small-then-large", SmallThenLarge.class, 2),
                    FraudFunctions.spec("velocity", Velocity.class, 2));
            case "javascript" -> List.of(FraudFunctions.javascript("small-then-large", "small-then-large", 2),
                    FraudFunctions.javascript("velocity", "velocity", 2));
            case "python" -> List.of(FraudFunctions.python("small-then-large", "small-then-large", python.target(), 2),
                    FraudFunctions.python("velocity", "velocity", python.target(), 2));
            default -> List.of(FraudFunctions.siddhi("small-then-large", "small-then-large", 2), FraudFunctions.siddhi("velocity", "velocity", 2));
        };
        ManagedChannel channel = NettyChannelBuilder.forTarget(host.get().endpoint()).usePlaintext().build();
        ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(60));
        operators.forEach(control::deploy);
        channel.shutdownNow();

        VigilTelemetry telemetry = VigilTelemetry.of("small-then-large");
        telemetry.reset();
        Thread killer = killed.equals("host") ? HostProcess.killAndRestartAfter(telemetry, EVENTS / 2, host, state, port)
                : killAndRestartAfter(telemetry, EVENTS / 2, python);

        StreamExecutionEnvironment env = ExactlyOnceFaultTest.environment();
        FraudDetectionJob.alerts(env, new FraudDetectionJob.Settings(host.get().endpoint(), "small-then-large", EVENTS,
                        ExactlyOnceFaultTest.SEED, ExactlyOnceFaultTest.FRAUD_RATE, 256, Duration.ofMillis(2), 15_000),
                        operators.stream().map(OperatorSpec::getName).toList())
                .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                .sinkTo(ExactlyOnceFaultTest.fileSink(output)).setParallelism(1);
        env.execute("exactly once in " + language + " with a host killed mid-stream");
        killer.join(TimeUnit.SECONDS.toMillis(60));
        host.get().close();
        if (python != null) {
            python.close();
        }

        assertThat(telemetry.eventsIn()).as("events sent, counting those replayed after the failure").isGreaterThan(EVENTS);
        List<String> expected = new ArrayList<>();
        TransactionGenerator.groundTruth(ExactlyOnceFaultTest.SEED, EVENTS, ExactlyOnceFaultTest.FRAUD_RATE).stream()
                .filter(e -> e.rule().name().equals("SMALL_THEN_LARGE") || e.rule().name().equals("VELOCITY"))
                .forEach(e -> expected.add(e.rule() + "/" + e.txnId()));
        assertThat(expected).hasSizeGreaterThan(50);
        assertThat(ExactlyOnceFaultTest.committed(output)).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Kills the Python process with SIGKILL once {@code events} were sent, and starts it again, empty, on its port. */
    static Thread killAndRestartAfter(VigilTelemetry telemetry, long events, PythonOperatorProcess python) {
        Thread killer = new Thread(() -> {
            try {
                while (telemetry.eventsIn() < events) {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
                python.kill();
                TimeUnit.MILLISECONDS.sleep(300);
                python.restart();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "python-killer");
        killer.start();
        return killer;
    }
}
