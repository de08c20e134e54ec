package io.vigil.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A function host in a child process ({@link Main}), ready once it prints the port it listens on:
 * what tests that kill a host and benchmarks that pin hosts to cores start.
 */
public final class ChildHost implements AutoCloseable {
    private final Process process;
    private final int port;

    private ChildHost(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Runs {@code command} (a JVM running {@link Main}) and waits up to a minute for it to listen;
     * every later line it prints goes to {@code output}, from a thread of its own.
     */
    public static ChildHost start(List<String> command, Consumer<String> output) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith(Main.LISTENING)) {
                int port = Integer.parseInt(line.substring(Main.LISTENING.length()).trim());
                Thread drain = new Thread(() -> {
                    try {
                        // Reading keeps the child's pipe from filling.
                        String printed;
                        while ((printed = out.readLine()) != null) {
                            output.accept(printed);
                        }
                    } catch (IOException ended) {
                        // The child was killed.
                    }
                }, "host-output-" + port);
                drain.setDaemon(true);
                drain.start();
                return new ChildHost(process, port);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the host process did not start:\n" + seen);
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    /** Waits until the process ends by itself. */
    public boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no drain, no flush, as a crashed machine. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, so the host drains; SIGKILL if it has not ended after 30 seconds. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
