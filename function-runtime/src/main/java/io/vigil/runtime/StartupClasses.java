package io.vigil.runtime;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Starts a host on a store of its own, lists its operators as {@code vigil list} does, and stops
 * it. The launcher runs this once per build under {@code -XX:ArchiveClassesAtExit}, so that later
 * hosts and operator commands map the classes a start loads from that archive instead of loading
 * them one by one (Java's application class-data sharing).
 */
public final class StartupClasses {
    private StartupClasses() {
    }

    /** @param args {@code --plugins DIR} */
    public static void main(String[] args) throws Exception {
        Path plugins = Path.of(args.length == 2 && args[0].equals("--plugins") ? args[1] : "plugins");
        Path state = Files.createTempDirectory("vigil-startup-classes");
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(plugins).stateDirectory(state).build().start()) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
            try {
                new ControlPlaneClient(channel, Duration.ofSeconds(30)).list();
            } finally {
                channel.shutdownNow();
            }
        } finally {
            try (Stream<Path> files = Files.walk(state)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
        System.exit(0);
    }
}
