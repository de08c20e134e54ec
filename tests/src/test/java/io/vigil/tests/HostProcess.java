package io.vigil.tests;

import io.vigil.runtime.ChildHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A function host in a child process, to be killed with SIGKILL like a crashed machine. */
final class HostProcess implements AutoCloseable {
    private final ChildHost host;

    private HostProcess(ChildHost host) {
        this.host = host;
    }

    static HostProcess start(Path stateDirectory) throws IOException, InterruptedException {
        return start(stateDirectory, 0);
    }

    /** @param port 0 for any free port; a fixed port lets a restarted host take its predecessor's place */
    static HostProcess start(Path stateDirectory, int port, String... jvmOptions) throws IOException, InterruptedException {
        return start(command(stateDirectory, port, List.of(jvmOptions), List.of()));
    }

    /** A host given {@code hostArguments} beside its store. */
    static HostProcess startWith(Path stateDirectory, String... hostArguments) throws IOException, InterruptedException {
        return start(command(stateDirectory, 0, List.of(), List.of(hostArguments)));
    }

    /** A host given {@code hostArguments} beside its store, every line it prints after it listens given to {@code output}. */
    static HostProcess startWith(Path stateDirectory, java.util.function.Consumer<String> output, String... hostArguments)
            throws IOException {
        return new HostProcess(ChildHost.start(command(stateDirectory, 0, List.of(), List.of(hostArguments)), output));
    }

    /** Starts a host that is expected not to start; what it printed before it exited, and its exit code. */
    static String refusedStart(Path stateDirectory) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command(stateDirectory, 0, List.of(), List.of())).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the host neither started nor stopped:\n" + out);
        }
        return "exit " + process.exitValue() + ": " + out;
    }

    private static List<String> command(Path stateDirectory, int port, List<String> jvmOptions, List<String> hostArguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "io.vigil.runtime.Main", "--bind", "127.0.0.1", "--port", String.valueOf(port),
                "--plugins", TestHosts.plugins().toString(), "--state-dir", stateDirectory.toString()));
        command.addAll(hostArguments);
        return command;
    }

    private static HostProcess start(List<String> command) throws IOException {
        ChildHost[] started = new ChildHost[1];
        started[0] = ChildHost.start(command, line -> System.out.println("[host " + started[0].port() + "] " + line));
        return new HostProcess(started[0]);
    }

    /**
     * Starts a thread that, once {@code telemetry} has seen {@code events} sent, kills the host in
     * {@code host} and starts a new one on the same store and port in its place.
     */
    static Thread killAndRestartAfter(io.vigil.flink.VigilTelemetry telemetry, long events,
                                      java.util.concurrent.atomic.AtomicReference<HostProcess> host, Path stateDirectory, int port) {
        return TestHosts.afterEvents(telemetry, events, "host-killer", () -> {
            host.get().kill();
            TimeUnit.MILLISECONDS.sleep(300);
            host.set(start(stateDirectory, port));
        }, null);
    }

    String endpoint() {
        return host.endpoint();
    }

    /** Waits until the process ends by itself (a crash). */
    boolean awaitExit(long seconds) throws InterruptedException {
        return host.awaitExit(seconds);
    }

    /** SIGKILL: no shutdown hook, no drain, no flush. */
    void kill() throws InterruptedException {
        host.kill();
    }

    @Override
    public void close() throws InterruptedException {
        if (host.isAlive()) {
            kill();
        }
    }
}
