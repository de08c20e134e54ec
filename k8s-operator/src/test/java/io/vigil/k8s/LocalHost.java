package io.vigil.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A function host started from the distribution, in a process of its own, as a pod would run it. */
final class LocalHost implements AutoCloseable {
    private static final Path DISTRIBUTION = Path.of("..", "distribution", "target", "vigil");
    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

    private final Process process;
    private final int port;

    private LocalHost(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static LocalHost start(Path stateDirectory) throws IOException, InterruptedException {
        if (!Files.isDirectory(DISTRIBUTION.resolve("lib"))) {
            throw new IllegalStateException("no function host distribution at " + DISTRIBUTION.toAbsolutePath()
                    + "; run the tests through Maven from the project root (./mvnw verify)");
        }
        Path log = Files.createTempFile("vigil-host", ".log");
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", DISTRIBUTION.resolve("lib") + "/*:" + DISTRIBUTION.resolve("logging/simple") + "/*", "io.vigil.runtime.Main", "--bind", "127.0.0.1", "--port", "0",
                "--plugins", DISTRIBUTION.resolve("plugins").toString(), "--state-dir", stateDirectory.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher listening = LISTENING.matcher(Files.readString(log));
            if (listening.find()) {
                return new LocalHost(process, Integer.parseInt(listening.group(1)));
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the function host did not start:\n" + Files.readString(log));
    }

    String endpoint() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
