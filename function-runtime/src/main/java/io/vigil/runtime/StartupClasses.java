package io.vigil.runtime;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.Field;
import io.vigil.api.proto.FieldType;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Starts a host on a store of its own, deploys a small EPL operator on it and lists its operators as
 * {@code vigil deploy} and {@code vigil list} do, and stops it. The launcher runs this once per
 * build under {@code -XX:ArchiveClassesAtExit}, so that later hosts and operator commands map the
 * classes a start (and a recovery's first EPL compile) loads from that archive instead of loading
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
                ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(60));
                if (Files.isDirectory(plugins.resolve("esper"))) {
                    control.deploy(eplOperator());
                }
                control.list();
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

    private static OperatorSpec eplOperator() {
        Schema input = Schema.newBuilder().setName("Reading")
                .addFields(Field.newBuilder().setName("key").setType(FieldType.LONG))
                .addFields(Field.newBuilder().setName("value").setType(FieldType.DOUBLE))
                .build();
        Schema output = Schema.newBuilder().setName("Result")
                .addFields(Field.newBuilder().setName("key").setType(FieldType.LONG))
                .addFields(Field.newBuilder().setName("value").setType(FieldType.DOUBLE))
                .build();
        return OperatorSpec.newBuilder().setName("startup-classes").setLanguage("esper").setKeyField("key").setShards(2)
                .setInputSchema(input).setOutputSchema(output)
                .setSource("""
                        select key, sum(value) as value from Reading#groupwin(key)#time(1 min) group by key having count(*) > 2;
                        select b.key as key, b.value as value
                        from pattern [every a=Reading(value < 1) -> b=Reading(key = a.key, value > 100) where timer:within(1 min)];
                        """)
                .build();
    }
}
