package io.vigil.benchmarks.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a benchmark ran on, for its report: CPU model and host name. */
public final class Machine {
    private Machine() {
    }

    public static String describe() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("unknown CPU");
            return cpu + " (" + InetAddress.getLocalHost().getHostName() + ")";
        } catch (IOException e) {
            return "unknown machine";
        }
    }
}
