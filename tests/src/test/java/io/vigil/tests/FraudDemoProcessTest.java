package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as {@code ./vigil demo} runs it: a JVM of its own on the distribution's class path. A
 * short stream still sees both updates take over part of it, a clean run prints no warning or
 * error, and no exit, Ctrl-C included, leaves its state directory or its Python process behind.
 */
class FraudDemoProcessTest {
    private static final Pattern PROCESSED = Pattern.compile("processed by version 1: ([\\d,]+), version 2: ([\\d,]+), version 3: ([\\d,]+)");
    private static final Pattern PYTHON_PID = Pattern.compile("\\(pid (\\d+)\\)");

    @TempDir
    Path stateRoot;

    @Test
    void aShortStreamStillSeesEveryVersionAndACleanRunWarnsOfNothing() throws Exception {
        Process demo = start("--events", "12000");
        assertThat(demo.waitFor(4, TimeUnit.MINUTES)).isTrue();
        String out = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(demo.exitValue()).as(out).isZero();
        assertThat(out).contains("All four rules found exactly the injected fraud.").contains("lost 0, processed twice 0");
        Matcher processed = PROCESSED.matcher(out);
        assertThat(processed.find()).as(out).isTrue();
        for (int version = 1; version <= 3; version++) {
            assertThat(Long.parseLong(processed.group(version).replace(",", ""))).as("events version %d processed in\n%s", version, out)
                    .isPositive();
        }
        assertThat(out).containsPattern("checkpoints  \\d+ completed \\(one triggered every 1000 ms");
        assertThat(out.lines().filter(line -> line.matches("(?i).*\\b(WARN|ERROR|Exception)\\b.*")))
                .as("warnings or errors in\n%s", out).isEmpty();
        assertThat(leftIn(stateRoot)).isEmpty();
    }

    @Test
    void interruptedMidStreamItLeavesNeitherStateNorPythonProcessBehind() throws Exception {
        Process demo = start("--events", "5000000", "--language", "python");
        StringBuilder seen = new StringBuilder();
        long pythonPid = -1;
        var lines = demo.inputReader(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        String line;
        while (System.nanoTime() < deadline && (line = lines.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher pid = PYTHON_PID.matcher(line);
            if (line.startsWith("Python rules:") && pid.find()) {
                pythonPid = Long.parseLong(pid.group(1));
            }
            if (line.contains("events ") && line.contains("events/s")) {
                break;
            }
        }
        assertThat(pythonPid).as(seen.toString()).isPositive();
        assertThat(leftIn(stateRoot)).as("the demo's store while it runs").isNotEmpty();

        demo.destroy();  // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
        assertThat(demo.waitFor(1, TimeUnit.MINUTES)).isTrue();
        Thread drain = new Thread(() -> lines.lines().forEach(ignored -> { }));
        drain.start();

        assertThat(leftIn(stateRoot)).isEmpty();
        long pid = pythonPid;
        TestHosts.await(() -> "the Python operator process " + pid + " outlived the demo",
                java.time.Duration.ofSeconds(10), () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }

    private Process start(String... args) throws IOException {
        Path distribution = TestHosts.plugins().toAbsolutePath().getParent();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dvigil.plugins=" + TestHosts.plugins().toAbsolutePath(),
                "-cp", distribution.resolve("lib") + "/*:" + distribution.resolve("logging/log4j") + "/*", "io.vigil.examples.fraud.FraudDemo", "--state-root", stateRoot.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static List<Path> leftIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }
}
