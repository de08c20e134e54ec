package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Updates while a Flink job streams through the operator with checkpoints every 300 ms: a
 * threshold change, a source that does not compile, a logic change, and a rollback to the first
 * logic. Every transaction must be processed exactly once, by one version, and raise exactly the
 * alerts that version's logic raises with the whole stream behind it (reference operators run
 * afterwards over the same stream).
 */
class HotSwapAtLoadTest {
    static final long EVENTS = 90_000;
    static final double RATE = 12_000;
    /** Logic run by each step (index: step, which is also the version). */
    static final int[] LOGIC = {0, 1, 2, 3, 1};

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    @TempDir
    Path state;

    @Test
    void updatesUnderLoadLoseNothingDuplicateNothingAndCarryState() throws Exception {
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).stateDirectory(state)
                .build().start()) {
            ManagedChannel channel = TestHosts.channel(host);
            ControlPlaneClient control = TestHosts.control(channel);
            control.deploy(SwapScenario.step(1, LOGIC[1]));

            VigilTelemetry telemetry = VigilTelemetry.of(SwapScenario.OPERATOR);
            telemetry.reset();
            AtomicReference<Throwable> swapFailure = new AtomicReference<>();
            List<String> swaps = new ArrayList<>();
            Thread swapper = new Thread(() -> {
                try {
                    awaitEvents(telemetry, EVENTS * 15 / 100);
                    swaps.add(swap(control, 2));

                    awaitEvents(telemetry, EVENTS * 30 / 100);
                    OperatorSpec broken = SwapScenario.step(3, 3).toBuilder()
                            .setSource(SwapScenario.epl(3, 3) + "select cardId from Txn(amount >>> 3);\n").build();
                    assertThatThrownBy(() -> control.update(broken))
                            .isInstanceOfSatisfying(OperatorRejectedException.class, e -> {
                                assertThat(e.diagnostics()).isNotEmpty();
                                assertThat(e.diagnostics().get(0).getLine())
                                        .isEqualTo(SwapScenario.epl(3, 3).split("\n").length + 1);
                                assertThat(e.diagnostics().get(0).getColumn()).isPositive();
                            });
                    assertThat(control.describe(SwapScenario.OPERATOR).getVersion()).as("version 2 keeps serving").isEqualTo(2);

                    awaitEvents(telemetry, EVENTS * 45 / 100);
                    swaps.add(swap(control, 3));
                    awaitEvents(telemetry, EVENTS * 65 / 100);
                    swaps.add(swap(control, 4));
                    assertThat(telemetry.eventsIn()).as("the last update took effect before the stream ended").isLessThan(EVENTS);
                } catch (Throwable e) {
                    swapFailure.set(e);
                }
            }, "swapper");

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(300);
            CollectingSink<String> swapped = new CollectingSink<>();
            SwapScenario.results(env, host.endpoint(), SwapScenario.OPERATOR, EVENTS, RATE).sinkTo(swapped).setParallelism(1);
            swapper.start();
            env.execute("hot swaps under load");
            swapper.join(TimeUnit.SECONDS.toMillis(60));
            if (swapFailure.get() != null) {
                throw new AssertionError("a swap failed after " + swaps, swapFailure.get());
            }
            System.out.println("HotSwapAtLoadTest swaps: " + swaps);

            Map<Integer, List<String>> references = SwapScenario.references(host, EVENTS, 1, 2, 3);
            SwapScenario.assertSwappedCorrectly(List.copyOf(swapped.results()), LOGIC, references, EVENTS, 4);
            channel.shutdownNow();
        }
    }

    static String swap(ControlPlaneClient control, int step) {
        long start = System.nanoTime();
        long version = control.update(SwapScenario.step(step, LOGIC[step])).getVersion();
        long micros = (System.nanoTime() - start) / 1000;
        assertThat(version).isEqualTo(step);
        var status = control.describe(SwapScenario.OPERATOR);
        for (var shard : status.getShardsList()) {
            assertThat(shard.getLastSwap().getVersion()).isEqualTo(step);
            assertThat(shard.getLastSwap().getStateCarried()).as("state carried").isTrue();
        }
        return String.format(java.util.Locale.ROOT, "v%d: %.1f ms call to active, pauses %s us", step, micros / 1000.0,
                status.getShardsList().stream().map(s -> String.valueOf(s.getLastSwap().getPauseMicros())).toList());
    }

    static void awaitEvents(VigilTelemetry telemetry, long events) throws InterruptedException {
        TestHosts.await(() -> "the stream stalled at " + telemetry.eventsIn() + " events", java.time.Duration.ofSeconds(60),
                () -> telemetry.eventsIn() >= events);
    }
}
