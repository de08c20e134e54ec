package io.vigil.benchmarks.harness;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.OperatorPool;
import io.vigil.api.client.ShardStream;
import io.vigil.api.placement.Placements;
import io.vigil.api.proto.Open;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.api.proto.StateHandle;
import io.vigil.runtime.FunctionHost;
import io.vigil.runtime.cli.OptionValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a rescale costs with state, at the hosts: an operator holding N events of state (its input
 * log, the rule's horizon being a day) on 2 shards of one host is checkpointed, then (a) its two
 * shards restore that checkpoint as they were, the restore a job restarted from a savepoint at the
 * same placement waits for; (b) it is rescaled to 4 shards over two hosts and the four new shards
 * restore it key group by key group. Reported: the rescale call, and each restore from the opening
 * of the streams to the last shard's answer (the pause a job sees before its first batch is taken).
 */
public final class RescaleBenchmark {
    private RescaleBenchmark() {
    }

    record Result(long events, long sameMillis, long rescaleCallMillis, long rescaledMillis) {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = OptionValues.orExit("bench-rescale", () -> Settings.parse(args));
        Path root = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        List<Result> results = new ArrayList<>();
        for (long events : settings.events) {
            Result best = null;
            for (int round = 0; round < 2; round++) {
                Path first = Files.createTempDirectory(root, "vigil-rescale-a");
                Path second = Files.createTempDirectory(root, "vigil-rescale-b");
                try {
                    Result result = run(events, first, second, settings.plugins);
                    System.out.printf(Locale.ROOT, "  %,d events of state, round %d: restore as placed %d ms; rescale call %d ms,"
                            + " restore by key group %d ms%n", events, round + 1, result.sameMillis(), result.rescaleCallMillis(),
                            result.rescaledMillis());
                    if (best == null || result.rescaleCallMillis() + result.rescaledMillis()
                            < best.rescaleCallMillis() + best.rescaledMillis()) {
                        best = result;
                    }
                } finally {
                    delete(first);
                    delete(second);
                }
            }
            results.add(best);
        }
        StringBuilder report = new StringBuilder("# Rescale with state: 2 shards on one host to 4 over two\n\n");
        report.append(String.format(Locale.ROOT, "Measured %s on %s, OpenJDK %s, by `./vigil bench-rescale`: `./vigil bench`'s EPL rule"
                        + " (its horizon a day, so every event sent is state: the shard's input log), two in-process hosts with stores on"
                        + " tmpfs, raw streams instead of Flink. The operator takes the events on 2 shards of one host and checkpoints."
                        + " *As placed*: its two shards restore the checkpoint as it was, what a job restarted from a savepoint at the"
                        + " same placement waits for. *Rescaled*: `OperatorPool.rescale` to 4 shards over the two hosts (the call), then"
                        + " the four new shards restore it key group by key group, two of them reading the old shards' checkpoints from"
                        + " the other host (from the opening of the streams to the last shard's answer: the pause before the job's first"
                        + " batch is taken). The second host has run an EPL operator before (a pool host's language is loaded). Better"
                        + " of two rounds. A Flink job stopped with a savepoint and started again adds its own"
                        + " restart to both.%n%n", LocalDate.now(), Machine.describe(), System.getProperty("java.version")));
        report.append("| events of state | restore as placed | rescale call | restore rescaled | call to done |\n")
                .append("|---:|---:|---:|---:|---:|\n");
        for (Result result : results) {
            report.append(String.format(Locale.ROOT, "| %,d | %,d ms | %,d ms | %,d ms | %,d ms |%n", result.events(), result.sameMillis(),
                    result.rescaleCallMillis(), result.rescaledMillis(), result.rescaleCallMillis() + result.rescaledMillis()));
        }
        List<LiveRescaleBenchmark.Result> live = new ArrayList<>();
        LiveRescaleBenchmark flink = new LiveRescaleBenchmark(settings.plugins, root);
        for (long events : settings.events) {
            LiveRescaleBenchmark.Result result = flink.run(events);
            System.out.printf(Locale.ROOT, "  %,d events of state, through Flink: live call to done %d ms, pause max %.1f ms;"
                    + " stop and restart %d ms%n", events, result.doneMillis(), result.pauseMaxMicros() / 1000.0, result.outageMillis());
            live.add(result);
        }
        report.append(String.format(Locale.ROOT, "%n## While a Flink job runs%n%n"
                + "The same rule and rescale through a Flink job (MiniCluster in the same JVM, parallelism 2, checkpoints every second,"
                + " the connector's defaults), fed at 70 %% of the events per second the better of two unthrottled runs of the same job reached just before"
                + " (*load*). Once the operator holds the events of state, *live*: `OperatorPool.rescale` while the job runs (the call),"
                + " until every subtask routes to the 4 shards (call to done); each subtask's pause is how long its sender sent"
                + " nothing, from the cut's barrier to the new shards' streams open (their restore by key group included); event"
                + " latency is the connector's, from the task handing an event over to its round's answers emitted, before the"
                + " rescale and over it (from the call to a second after done). *Stop and restart*, what a Flink user does today:"
                + " `stopWithSavepoint`, `OperatorPool.rescale`, the job started from the savepoint, until its first events are sent"
                + " (no events flow meanwhile).%n%n"));
        report.append(LiveRescaleBenchmark.table(live));
        System.out.print(report);
        Path out = Path.of("docs", "benchmarks", "rescale.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.println("wrote " + out);
    }

    private static Result run(long events, Path firstState, Path secondState, Path plugins) throws Exception {
        try (FunctionHost first = FunctionHost.builder().loopback().pluginsDirectory(plugins).stateDirectory(firstState).build().start();
             FunctionHost second = FunctionHost.builder().loopback().pluginsDirectory(plugins).stateDirectory(secondState).build().start();
             OperatorPool pool = new OperatorPool(List.of(first.endpoint(), second.endpoint()), RescaleBenchmark::channel,
                     Duration.ofSeconds(120))) {
            Map<String, ManagedChannel> channels = new HashMap<>();
            try {
                channels.put(first.endpoint(), channel(first.endpoint()));
                channels.put(second.endpoint(), channel(second.endpoint()));
                // A pool host has run EPL before: the second host loads the language and compiles once, off the clock.
                pool.host(second.endpoint()).deploy(Workload.spec(1).toBuilder().setName("warm-up").build());
                pool.host(second.endpoint()).undeploy("warm-up");
                pool.host(first.endpoint()).deploy(Workload.spec(2));
                ByteString[] handles = new ByteString[2];
                new HostLoadClient(channels.get(first.endpoint()), 2, 1024).run(events, 0, "bench", handles);
                List<StateHandle> checkpoint = new ArrayList<>();
                for (ByteString handle : handles) {
                    checkpoint.add(StateHandle.parseFrom(handle).toBuilder().setHost(first.endpoint()).build());
                }

                Placement before = Placements.onOneHost(2);
                long sameMillis = restore(before, s -> channels.get(first.endpoint()), s -> List.of(checkpoint.get(s)), true);

                long call = System.nanoTime();
                Placement after = pool.rescale(Workload.OPERATOR, 4, List.of(first.endpoint(), second.endpoint())).getPlacement();
                long callMillis = (System.nanoTime() - call) / 1_000_000;
                long rescaledMillis = restore(after, s -> channels.get(after.getShards(s).getHost()), s -> checkpoint.stream()
                        .filter(h -> h.getFirstKeyGroup() < after.getShards(s).getEndKeyGroup()
                                && h.getEndKeyGroup() > after.getShards(s).getFirstKeyGroup()).toList(), false);
                return new Result(events, sameMillis, callMillis, rescaledMillis);
            } finally {
                channels.values().forEach(ManagedChannel::shutdownNow);
            }
        }
    }

    /** Opens one stream per shard restoring what {@code sources} gives it; the milliseconds until every shard answered. */
    private static long restore(Placement placement, java.util.function.IntFunction<ManagedChannel> channelOf,
                                java.util.function.IntFunction<List<StateHandle>> sources, boolean own) throws Exception {
        List<ShardStream> streams = new ArrayList<>();
        List<CompletableFuture<io.vigil.api.proto.Opened>> opened = new ArrayList<>();
        long start = System.nanoTime();
        for (ShardPlacement shard : placement.getShardsList()) {
            int s = shard.getShard();
            Open.Builder open = Workload.open(Workload.OPERATOR, s, "rescale-bench").toBuilder().setJob("bench").setFeed("bench-restored")
                    .setEpoch(placement.getEpoch());
            if (own) {
                open.setRestoreHandle(sources.apply(s).get(0).toByteString());
            } else {
                sources.apply(s).forEach(source -> open.addRescaledFrom(source.toByteString()));
            }
            ShardStream stream = ShardStream.open(channelOf.apply(s), open.build(), new ShardStream.Listener() {
                @Override
                public void onResults(io.vigil.api.wire.Frame results) {
                }

                @Override
                public void onError(io.vigil.api.proto.StreamError error) {
                    opened.get(s).completeExceptionally(new IllegalStateException("shard " + s + ": " + error.getMessage()));
                }

                @Override
                public void onClosed(io.grpc.Status status) {
                }
            }, () -> { });
            streams.add(stream);
            opened.add(stream.opened());
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        long millis = (System.nanoTime() - start) / 1_000_000;
        streams.forEach(ShardStream::complete);
        return millis;
    }

    private static ManagedChannel channel(String endpoint) {
        return NettyChannelBuilder.forTarget(endpoint).usePlaintext().maxInboundMessageSize(64 << 20).build();
    }

    static void delete(Path directory) throws java.io.IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static final class Settings {
        List<Long> events = List.of(100_000L, 1_000_000L);
        Path plugins = Path.of("distribution/target/vigil/plugins");

        static Settings parse(String[] args) {
            Settings settings = new Settings();
            OptionValues.pairs(args, (option, value) -> {
                switch (option) {
                    case "--events" -> settings.events = Stream.of(value.split(","))
                            .map(each -> OptionValues.wholeNumber(option, each, 1, Long.MAX_VALUE)).toList();
                    case "--plugins" -> settings.plugins = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + option + "' (try --help)");
                }
            });
            return settings;
        }
    }
}
