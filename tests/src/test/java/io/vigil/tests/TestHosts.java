package io.vigil.tests;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorPool;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** Starts real function hosts on loopback with the plugins the build unpacked for the tests. */
final class TestHosts {
    private TestHosts() {
    }

    static Path plugins() {
        Path plugins = Path.of(System.getProperty("vigil.plugins", "target/plugins"));
        if (!Files.isDirectory(plugins.resolve("esper"))) {
            throw new IllegalStateException("the Esper plugin is not unpacked at " + plugins.toAbsolutePath()
                    + "; run the tests through Maven (./mvnw verify)");
        }
        return plugins;
    }

    static FunctionHost start() throws IOException {
        return start(Duration.ofSeconds(2));
    }

    static FunctionHost start(Duration gracePeriod) throws IOException {
        return FunctionHost.builder()
                .loopback()
                .pluginsDirectory(plugins())
                .gracePeriod(gracePeriod)
                .build()
                .start();
    }

    /** A MiniCluster with one task manager of two slots, for one test class. */
    static MiniClusterExtension flink() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }

    static ManagedChannel channel(FunctionHost host) {
        return NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
    }

    /** The control plane of the pool of hosts {@code endpoints} names (comma-separated). */
    static OperatorPool pool(String endpoints) {
        return new OperatorPool(java.util.List.of(endpoints.split(",")),
                endpoint -> NettyChannelBuilder.forTarget(endpoint).usePlaintext().build(), Duration.ofSeconds(60));
    }

    static ControlPlaneClient control(ManagedChannel channel) {
        return new ControlPlaneClient(channel, Duration.ofSeconds(30));
    }

    /** A host in this JVM keeping its state in {@code stateDirectory}. */
    static FunctionHost storing(Path stateDirectory) throws IOException {
        return FunctionHost.builder().loopback().pluginsDirectory(plugins()).stateDirectory(stateDirectory).build().start();
    }

    /** A host without state, with a channel and a control-plane client to it. */
    static Connected connected() throws IOException {
        FunctionHost host = start();
        ManagedChannel channel = channel(host);
        return new Connected(host, channel, control(channel));
    }

    /** A host keeping its state in {@code stateDirectory}, with a channel and a control-plane client to it. */
    static Connected stateful(Path stateDirectory) throws IOException {
        FunctionHost host = storing(stateDirectory);
        ManagedChannel channel = channel(host);
        return new Connected(host, channel, control(channel));
    }

    /** Waits until {@code condition} holds; fails with {@code what} once {@code within} has passed. */
    static void await(Supplier<String> what, Duration within, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what.get());
            }
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }

    /** Work a test thread does that may fail. */
    interface Action {
        void run() throws Exception;
    }

    /**
     * Starts a thread that runs {@code action} once {@code telemetry} has seen {@code events} sent.
     * Its failure goes to {@code failure}, or, when that is null, ends the thread.
     */
    static Thread afterEvents(VigilTelemetry telemetry, long events, String name, Action action,
                              AtomicReference<Throwable> failure) {
        Thread thread = new Thread(() -> {
            try {
                await(() -> "the stream stalled at " + telemetry.eventsIn() + " events", Duration.ofSeconds(60),
                        () -> telemetry.eventsIn() >= events);
                action.run();
            } catch (Throwable e) {
                if (failure == null) {
                    throw new IllegalStateException(e);
                }
                failure.set(e);
            }
        }, name);
        thread.start();
        return thread;
    }

    record Connected(FunctionHost host, ManagedChannel channel, ControlPlaneClient control) implements AutoCloseable {
        @Override
        public void close() {
            channel.shutdownNow();
            host.close();
        }
    }
}
