package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.vigil.runtime.FunctionHost;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a host starts: the standard gRPC health service answers for it, a start that cannot bind its
 * port says which and leaves no store behind, and bad arguments are usage errors naming the flag.
 */
class HostStartTest {
    @TempDir
    Path scratch;

    @Test
    void theStandardHealthServiceSaysServingWhileTheHostRuns() throws Exception {
        FunctionHost host = TestHosts.start();
        ManagedChannel channel = TestHosts.channel(host);
        try {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            for (String service : List.of("", "vigil.v1.DataPlane", "vigil.v1.ControlPlane")) {
                assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                        .as("service '%s'", service).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            }
        } finally {
            channel.shutdownNow();
            host.close();
        }
    }

    @Test
    void aHostThatCannotBindSaysWhereAndLeavesNoStoreBehind() throws Exception {
        Path state = scratch.resolve("state");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FunctionHost.Settings settings = FunctionHost.builder().loopback().port(taken.getLocalPort())
                    .pluginsDirectory(TestHosts.plugins()).stateDirectory(state);
            assertThatThrownBy(() -> settings.build().start())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(state).as("the store the failed start created").doesNotExist();
    }

    @Test
    void theLaunchersHostMakesItsClassArchiveOnceThenStartsFromItWithoutAWord() throws Exception {
        Path archive = TestHosts.plugins().toAbsolutePath().resolveSibling("host.jsa");
        Files.deleteIfExists(archive);
        String first = launchHostUntilListening(scratch.resolve("first"));
        assertThat(archive).as("the class-data archive the first start made").exists();
        long made = Files.getLastModifiedTime(archive).toMillis();
        String second = launchHostUntilListening(scratch.resolve("second"));

        assertThat(Files.getLastModifiedTime(archive).toMillis()).as("made once, while the jars stay as they are").isEqualTo(made);
        for (String out : List.of(first, second)) {
            assertThat(out.lines().filter(line -> line.contains("warning") || line.contains("WARN") || line.contains("ERROR")))
                    .as(out).isEmpty();
            assertThat(out).contains("INFO FunctionHost - Function host listening on 127.0.0.1:");
        }
    }

    /** {@code ./vigil host} on a port of its own until it says it listens; its output so far. */
    private static String launchHostUntilListening(Path state) throws Exception {
        Process host = Launcher.command("host", "--bind", "127.0.0.1", "--port", "0", "--state-dir", state.toString()).start();
        StringBuilder out = new StringBuilder();
        try (var lines = host.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                out.append(line).append('\n');
                if (line.startsWith("vigil function host listening on port ")) {
                    break;
                }
            }
        } finally {
            host.destroy();
            assertThat(host.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(out).as("the host's output").contains("vigil function host listening on port ");
        return out.toString();
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheFlagAndValue() throws Exception {
        assertThat(run("--port", "abc")).isEqualTo("2: option --port needs a whole number from 0 to 65535, not 'abc'");
        assertThat(run("--port", "99999")).isEqualTo("2: option --port needs a whole number from 0 to 65535, not '99999'");
        assertThat(run("--ring-size", "1000")).isEqualTo("2: option --ring-size needs a power of two, not '1000'");
        assertThat(run("--nope")).isEqualTo("2: unknown option '--nope' (try --help)");
    }

    @Test
    void aPluginLoadsWhicheverClassLoaderTheThreadThatFirstAsksCarries() throws Exception {
        // As a gRPC thread created by a Flink task carries that task's class loader after Flink closed
        // it: looking services up through it throws, as Flink's safety net does.
        ClassLoader closed = new ClassLoader(HostStartTest.class.getClassLoader()) {
            @Override
            public java.util.Enumeration<java.net.URL> getResources(String name) {
                throw new IllegalStateException("Trying to access closed classloader");
            }
        };
        // Made (and logging started) before, as the host makes it at start; the plugin loads on first use.
        io.vigil.runtime.plugin.LanguagePlugins plugins = io.vigil.runtime.plugin.LanguagePlugins.load(TestHosts.plugins());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(closed);
        try {
            assertThat(plugins.adapter("javascript").language()).isEqualTo("javascript");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Runs {@code vigil host} with {@code args} in a process of its own; its exit code and what it printed on stderr. */
    private String run(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.vigil.runtime.Main"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() + ": " + errors;
    }
}
