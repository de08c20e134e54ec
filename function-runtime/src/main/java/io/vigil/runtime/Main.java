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
                case "--port" -> settings.port(Integer.parseInt(value(args, ++i, option)));
                case "--bind" -> settings.bindAddress(value(args, ++i, option));
                case "--plugins" -> settings.pluginsDirectory(Path.of(value(args, ++i, option)));
                case "--credits" -> settings.credits(Integer.parseInt(value(args, ++i, option)));
                case "--ring-size" -> settings.ringSize(Integer.parseInt(value(args, ++i, option)));
                case "--state-dir" -> settings.stateDirectory(Path.of(value(args, ++i, option)));
                case "--grace-seconds" -> settings.gracePeriod(Duration.ofSeconds(Long.parseLong(value(args, ++i, option))));
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
        FunctionHost host = settings.build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close();
            System.out.println("vigil function host stopped");
        }, "vigil-host-shutdown"));
        System.out.println("vigil function host listening on port " + host.port());
        host.awaitTermination();
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            System.err.println("option " + option + " needs a value");
            System.exit(2);
        }
        return args[index];
    }
}
