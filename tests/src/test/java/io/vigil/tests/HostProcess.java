package io.vigil.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A function host in a child process, to be killed with SIGKILL like a crashed machine. */
final class HostProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private HostProcess(Process process, int port) {
        this.process = process;
        this.port = port;
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

    private static HostProcess start(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("vigil function host listening on port ")) {
                int bound = Integer.parseInt(line.substring("vigil function host listening on port ".length()).trim());
                Thread drain = new Thread(() -> {
                    try {
                        // Reading keeps the child's pipe from filling; its log goes to the test's output.
                        String logged;
                        while ((logged = out.readLine()) != null) {
                            System.out.println("[host " + bound + "] " + logged);
                        }
                    } catch (IOException ended) {
                        // The child was killed.
                        return;
                    }
                }, "host-output");
                drain.setDaemon(true);
                drain.start();
                return new HostProcess(process, bound);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the host process did not start:\n" + seen);
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
        return "127.0.0.1:" + port;
    }

    /** Waits until the process ends by itself (a crash). */
    boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** SIGKILL: no shutdown hook, no drain, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
