package io.vigil.benchmarks.harness;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.OperatorPool;
import io.vigil.api.placement.Placements;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.Placement;
import io.vigil.runtime.ChildHost;
import io.vigil.runtime.cli.OptionValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One operator's throughput on one host and spread over more, side by side in one run: each host
 * a process of its own pinned to a core of its own ({@code taskset}), the operator's shards spread
 * over them by the pool's placement, driven by the host load client (batches encoded before the
 * clock starts) with each shard's stream to the host serving it.
 */
public final class ScalingBenchmark {
    private ScalingBenchmark() {
    }

    record Result(int hosts, String cores, Measurement measurement) {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = OptionValues.orExit("bench-scaling", () -> Settings.parse(args));
        int cores = Runtime.getRuntime().availableProcessors();
        List<Integer> hostCounts = new ArrayList<>();
        for (int hosts = 1; hosts <= Math.min(settings.maxHosts, cores); hosts *= 2) {
            hostCounts.add(hosts);
        }
        if (settings.shards == 0) {
            settings.shards = hostCounts.get(hostCounts.size() - 1);
        }
        System.out.printf(Locale.ROOT, "Scaling benchmark: %,d events per run, %d shards, %s hosts, each pinned to a core of %d%n",
                settings.events, settings.shards, hostCounts, cores);
        Map<Integer, Result> best = new HashMap<>();
        for (int round = 0; round < 2; round++) {
            for (int hosts : hostCounts) {
                Result result = run(hosts, settings);
                System.out.printf(Locale.ROOT, "  round %d, %d host(s) on cores %s: %,.0f events/s, p50 %.2f ms, p99 %.2f ms%n", round + 1,
                        hosts, result.cores(), result.measurement().eventsPerSecond(), result.measurement().p50Millis(),
                        result.measurement().p99Millis());
                Result kept = best.get(hosts);
                if (kept == null || result.measurement().eventsPerSecond() > kept.measurement().eventsPerSecond()) {
                    best.put(hosts, result);
                }
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("# Scaling: one operator over 1").append(hostCounts.size() > 1 ? " to " + hostCounts.get(hostCounts.size() - 1) : "")
                .append(" hosts\n\n");
        report.append(String.format(Locale.ROOT, "Measured %s on %s, %d cores, OpenJDK %s, by `./vigil bench-scaling`: a CPU-bound"
                        + " operator (a Java function doing %,d rounds of arithmetic per event and keeping a value per card) with %d shards"
                        + " spread over the"
                        + " hosts (shard *s* on host *s* mod *hosts*), each host a process pinned to a core of its own, driven without"
                        + " Flink by the host load client (%,d events per run, batches of 1,024 encoded before the clock starts; the"
                        + " client runs unpinned, so with as many hosts as cores it takes its share of theirs). Better of two rounds.%n%n",
                LocalDate.now(), Machine.describe(), cores, System.getProperty("java.version"), settings.iterations, settings.shards,
                settings.events));
        report.append("| hosts | cores | events/s | × one host | p50 ms | p99 ms |\n|---:|---|---:|---:|---:|---:|\n");
        double one = best.get(1).measurement().eventsPerSecond();
        for (int hosts : hostCounts) {
            Result result = best.get(hosts);
            Measurement m = result.measurement();
            report.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.2f | %.2f | %.2f |%n", hosts, result.cores(),
                    m.eventsPerSecond(), m.eventsPerSecond() / one, m.p50Millis(), m.p99Millis()));
        }
        System.out.print(report);
        Path out = Path.of("docs", "benchmarks", "scaling.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.println("wrote " + out);
    }

    private static Result run(int hosts, Settings settings) throws Exception {
        List<ChildHost> started = new ArrayList<>();
        List<String> cores = new ArrayList<>();
        try {
            for (int h = 0; h < hosts; h++) {
                started.add(startPinned(h, settings.plugins));
                cores.add(String.valueOf(h));
            }
            List<String> endpoints = started.stream().map(ChildHost::endpoint).toList();
            Map<String, ManagedChannel> channels = new HashMap<>();
            try (OperatorPool pool = new OperatorPool(endpoints,
                    endpoint -> NettyChannelBuilder.forTarget(endpoint).usePlaintext().build(), Duration.ofSeconds(60))) {
                OperatorSpec spec = Workload.cpuBoundSpec(settings.shards, settings.iterations);
                Placement placement = pool.deploy(spec).getPlacement();
                for (String endpoint : endpoints) {
                    channels.put(endpoint, NettyChannelBuilder.forTarget(endpoint).usePlaintext().maxInboundMessageSize(64 << 20).build());
                }
                HostLoadClient load = new HostLoadClient(shard -> {
                    String host = Placements.hostOf(placement, shard);
                    return channels.get(host.equals(Placements.THIS_HOST) ? endpoints.get(0) : host);
                }, settings.shards, 1024);
                load.run(settings.events / 4, 0);
                // The same seeded payments again would be behind the operator's clock: warmed up, it starts afresh.
                pool.undeploy(Workload.OPERATOR);
                if (!pool.deploy(spec).getPlacement().equals(placement)) {
                    throw new IllegalStateException("the operator was placed differently the second time");
                }
                Measurement measured = load.run(settings.events, 0);
                long processed = pool.describe(Workload.OPERATOR).getShardsList().stream()
                        .mapToLong(shard -> shard.getEventsProcessed() + shard.getEventsHeld()).sum();
                if (processed != settings.events) {
                    throw new IllegalStateException("the hosts processed or hold " + processed + " events, not the " + settings.events
                            + " sent");
                }
                return new Result(hosts, String.join(",", cores), measured);
            } finally {
                channels.values().forEach(ManagedChannel::shutdownNow);
            }
        } finally {
            for (ChildHost host : started) {
                host.close();
            }
        }
    }

    /** A function host in a child process, pinned to one core. */
    private static ChildHost startPinned(int core, Path plugins) throws IOException {
        return ChildHost.start(List.of("taskset", "-c", String.valueOf(core),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-XX:MaxGCPauseMillis=20",
                "-XX:ActiveProcessorCount=1", "-cp", System.getProperty("java.class.path"), "io.vigil.runtime.Main",
                "--bind", "127.0.0.1", "--port", "0", "--plugins", plugins.toString()), line -> { });
    }

    static final class Settings {
        long events = 500_000;
        // 0: as many as the most hosts measured.
        int shards = 0;
        int maxHosts = 4;
        int iterations = 20_000;
        Path plugins = Path.of("distribution/target/vigil/plugins");

        static Settings parse(String[] args) {
            Settings settings = new Settings();
            OptionValues.pairs(args, (option, value) -> {
                switch (option) {
                    case "--events" -> settings.events = OptionValues.wholeNumber(option, value, 1, Long.MAX_VALUE);
                    case "--shards" -> settings.shards = (int) OptionValues.wholeNumber(option, value, 1, 128);
                    case "--max-hosts" -> settings.maxHosts = (int) OptionValues.wholeNumber(option, value, 1, 64);
                    case "--iterations" -> settings.iterations = (int) OptionValues.wholeNumber(option, value, 1, 100_000_000);
                    case "--plugins" -> settings.plugins = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + option + "' (try --help)");
                }
            });
            return settings;
        }
    }
}
