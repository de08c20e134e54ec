package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host — a child process — dies in the middle of an update: one shard has switched to the
 * new version, the other has not, and the update has not returned. A new host on the same store
 * runs the version the update recorded; the Flink job restores its last checkpoint (taken by the
 * old version) into it. With Flink's exactly-once file sink, every transaction is committed once,
 * by one version, with the alerts that version raises with the whole stream behind it.
 */
class HotSwapFaultTest {
    static final long EVENTS = 60_000;
    static final double RATE = 10_000;
    static final int[] LOGIC = {0, 1, 2};

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    static Map<Integer, List<String>> references;

    @TempDir
    Path state;

    @TempDir
    Path output;

    @BeforeAll
    static void runReferences(@TempDir Path referenceState) throws Exception {
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .stateDirectory(referenceState).build().start()) {
            references = SwapScenario.references(host, EVENTS, 1, 2);
        }
    }

    @Test
    void aHostKilledDuringAnUpdateComesBackOnTheNewVersionWithTheOldState() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        HostProcess crashing = HostProcess.start(state, port, "-Dvigil.fault.halt-after-switch=0");
        AtomicReference<HostProcess> host = new AtomicReference<>(crashing);
        ManagedChannel channel = HostCrashRecoveryTest.channel(crashing);
        ControlPlaneClient control = new ControlPlaneClient(channel, java.time.Duration.ofSeconds(60));
        control.deploy(SwapScenario.step(1, LOGIC[1]));

        VigilTelemetry telemetry = VigilTelemetry.of(SwapScenario.OPERATOR);
        telemetry.reset();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread swapper = new Thread(() -> {
            try {
                HotSwapAtLoadTest.awaitEvents(telemetry, EVENTS * 4 / 10);
                assertThatThrownBy(() -> control.update(SwapScenario.step(2, LOGIC[2])))
                        .as("the host dies before the update returns").isInstanceOf(RuntimeException.class);
                assertThat(crashing.awaitExit(60)).isTrue();
                host.set(HostProcess.start(state, port));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "swapper");
        swapper.start();

        StreamExecutionEnvironment env = ExactlyOnceFaultTest.environment();
        SwapScenario.results(env, crashing.endpoint(), SwapScenario.OPERATOR, EVENTS, RATE)
                .sinkTo(ExactlyOnceFaultTest.fileSink(output)).setParallelism(1);
        env.execute("an update interrupted by a host crash");
        swapper.join(TimeUnit.SECONDS.toMillis(60));
        channel.shutdownNow();
        if (failure.get() != null) {
            throw new AssertionError("the crash during the update did not go as planned", failure.get());
        }
        assertThat(host.get()).isNotSameAs(crashing);

        ManagedChannel restarted = HostCrashRecoveryTest.channel(host.get());
        var status = new ControlPlaneClient(restarted, java.time.Duration.ofSeconds(60)).describe(SwapScenario.OPERATOR);
        restarted.shutdownNow();
        host.get().close();
        assertThat(status.getVersion()).as("the version the update recorded before it switched any shard").isEqualTo(2);
        for (var shard : status.getShardsList()) {
            SwapStateTest.assertRestored(shard.getLastSwap(), 2, 1);
        }
        SwapScenario.assertSwappedCorrectly(ExactlyOnceFaultTest.committed(output), LOGIC, references, EVENTS, 2);
    }
}
