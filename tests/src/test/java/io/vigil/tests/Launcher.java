package io.vigil.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The repository's {@code ./vigil} launcher, run as a user runs it. */
final class Launcher {
    static final Path SCRIPT = Path.of("..", "vigil").toAbsolutePath().normalize();

    private Launcher() {
    }

    /** What a finished run printed (stdout and stderr together) and its exit code. */
    record Run(int exitCode, String output) {
    }

    static ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    static Run run(String... args) throws IOException, InterruptedException {
        Process process = command(args).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("./vigil " + String.join(" ", args) + " did not end:\n" + out);
        }
        return new Run(process.exitValue(), out);
    }
}
