package io.vigil.runtime;

import java.nio.file.Path;
import java.time.Duration;

/** {@code vigil host}: runs a function host until it is stopped (SIGTERM or Ctrl-C drains it). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        FunctionHost.Settings settings = FunctionHost.builder();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--port" -> settings.port(number(args, ++i, option, 0, 65_535));
                case "--bind" -> settings.bindAddress(value(args, ++i, option));
                case "--plugins" -> settings.pluginsDirectory(Path.of(value(args, ++i, option)));
                case "--credits" -> settings.credits(number(args, ++i, option, 1, 1 << 16));
                case "--ring-size" -> settings.ringSize(powerOfTwo(args, ++i, option));
                case "--state-dir" -> settings.stateDirectory(Path.of(value(args, ++i, option)));
                case "--grace-seconds" -> settings.gracePeriod(Duration.ofSeconds(number(args, ++i, option, 0, 3_600)));
                case "--help", "-h" -> {
                    System.out.println("usage: vigil host [--port 7070] [--bind 0.0.0.0] [--plugins DIR] [--credits 8]"
                            + " [--ring-size 4096] [--grace-seconds 10] [--state-dir DIR]");
                    return;
                }
                default -> {
                    System.err.println("unknown option '" + option + "' (try --help)");
                    System.exit(2);
                }
            }
        }
        FunctionHost host;
        try {
            host = settings.build().start();
        } catch (java.io.IOException e) {
            System.err.println("vigil host: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close();
            System.out.println("vigil function host stopped");
        }, "vigil-host-shutdown"));
        System.out.println("vigil function host listening on port " + host.port());
        host.awaitTermination();
    }

    /** The option's value as a whole number within [min, max]; a usage error (exit 2) naming the flag and value otherwise. */
    private static int number(String[] args, int index, String option, int min, int max) {
        String value = value(args, index, option);
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below, as an out-of-range value is
        }
        System.err.println("option " + option + " needs a whole number from " + min + " to " + max + ", not '" + value + "'");
        System.exit(2);
        return 0;
    }

    private static int powerOfTwo(String[] args, int index, String option) {
        int number = number(args, index, option, 2, 1 << 24);
        if (Integer.bitCount(number) != 1) {
            System.err.println("option " + option + " needs a power of two, not '" + number + "'");
            System.exit(2);
        }
        return number;
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            System.err.println("option " + option + " needs a value");
            System.exit(2);
        }
        return args[index];
    }
}
