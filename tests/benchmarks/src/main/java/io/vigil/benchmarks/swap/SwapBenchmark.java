package io.vigil.benchmarks.swap;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.runtime.cli.OptionValues;
import io.vigil.examples.fraud.LocalStateDirectory;
import io.vigil.runtime.FunctionHost;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The swap benchmark: the same operator updated repeatedly while payments stream at a steady
 * rate, three ways in one run — Vigil's in-place update, an overlap swap in the research system's
 * manner, and Esper's undeploy + deploy — counting for each the pause, the time from the call to
 * the new version being active, events lost and processed twice, and alerts lost with the state.
 */
public final class SwapBenchmark {
    private SwapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = OptionValues.orExit("bench-swap", () -> Settings.parse(args));
        int events = (int) (settings.rate * settings.seconds);
        System.out.printf(Locale.ROOT, "Swap benchmark: %,d events at %,.0f events/s, %d swaps per strategy, %d shards, state horizon %d s%n",
                events, settings.rate, settings.swaps, settings.shards, settings.horizonSeconds);
        SwapWorkload workload = new SwapWorkload(events, settings.rate, settings.shards, 256, settings.horizonSeconds);
        EmbeddedRedeploy embedded = new EmbeddedRedeploy(workload);
        boolean[] reference = embedded.reference();
        Path state = LocalStateDirectory.create(LocalStateDirectory.defaultRoot(), "vigil-swap-bench");
        List<SwapOutcome> outcomes = new ArrayList<>();
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(settings.plugins)
                .stateDirectory(state).storeSize(64 << 20, 8L << 30).build().start()) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
            try {
                ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(60));
                HostSwapRun hostRuns = new HostSwapRun(workload, channel, control);
                // A first pass of every strategy warms the JIT, the compiler and the host.
                System.out.println("warming up...");
                hostRuns.run(HostSwapRun.Strategy.IN_PLACE, settings.rate, settings.swaps, "warm-up");
                hostRuns.run(HostSwapRun.Strategy.OVERLAP, settings.rate, settings.swaps, "warm-up");
                embedded.run(settings.rate, settings.swaps, "warm-up");
                outcomes.add(hostRuns.run(HostSwapRun.Strategy.IN_PLACE, settings.rate, settings.swaps, "Vigil: update in place"));
                report(outcomes.get(outcomes.size() - 1), reference);
                outcomes.add(hostRuns.run(HostSwapRun.Strategy.OVERLAP, settings.rate, settings.swaps,
                        "(i) overlap: new operator, both fed " + HostSwapRun.OVERLAP_MILLIS + " ms, old undeployed"));
                report(outcomes.get(outcomes.size() - 1), reference);
            } finally {
                channel.shutdownNow();
            }
        } finally {
            LocalStateDirectory.delete(state);
        }
        outcomes.add(embedded.run(settings.rate, settings.swaps, "(ii) Esper undeploy + deploy"));
        report(outcomes.get(outcomes.size() - 1), reference);
        Path out = Path.of("docs", "benchmarks", "swap.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, markdown(settings, events, outcomes, reference));
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static void report(SwapOutcome outcome, boolean[] reference) {
        System.out.println(row(outcome, reference));
        if (!outcome.lastSwap.isEmpty()) {
            System.out.println("  last swap, " + outcome.lastSwap);
        }
    }

    static String markdown(Settings settings, int events, List<SwapOutcome> outcomes, boolean[] reference) throws Exception {
        long referenceAlerts = 0;
        for (boolean alert : reference) {
            referenceAlerts += alert ? 1 : 0;
        }
        StringBuilder md = new StringBuilder();
        md.append("# Swap benchmark\n\n");
        md.append(String.format(Locale.ROOT, "Run %s on %s: %d cores, %s, Java %s. %,d events at %,.0f events/s (event time passing at the"
                        + " same pace), %d swaps per strategy, %d shards, state horizon %d s (about %,.0f events of state), a"
                        + " checkpoint every second against the host; %,d alerts in a run without swaps.%n%n",
                LocalDate.now(), InetAddress.getLocalHost().getHostName(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"), System.getProperty("java.version"), events, settings.rate, settings.swaps,
                settings.shards, settings.horizonSeconds, settings.rate * settings.horizonSeconds, referenceAlerts));
        md.append("| strategy | pause p50 / p99 / max (ms) | call to active p50 / max (ms) | events lost | events processed twice"
                + " | alerts lost with state | alerts raised twice | achieved events/s |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (SwapOutcome outcome : outcomes) {
            md.append(row(outcome, reference)).append('\n');
        }
        md.append("\nPause: for Vigil, how long each shard stopped processing at the switch (measured by the shard); for Esper,"
                + " the time between undeploy and the end of deploy, when events meet no statement; the overlap swap never stops"
                + " (both versions run) and pays in duplicates instead. Call to active: from the call (Update; Deploy; compile)"
                + " until the new version processes events — for Vigil this includes compiling the new version and replaying the"
                + " input log within its state horizon.\n");
        return md.toString();
    }

    private static String row(SwapOutcome o, boolean[] reference) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %,d | %,d | %,d | %,d | %,.0f |", o.strategy,
                percentiles(o.pauseMicros, true), percentiles(o.callToActiveMicros, false), o.lost(), o.duplicated(),
                o.alertsMissed(reference), o.alertsDuplicated(), o.seen.length() / (o.elapsedNanos / 1e9));
    }

    private static String percentiles(List<Long> micros, boolean withP99) {
        if (micros.isEmpty()) {
            return "–";
        }
        List<Long> sorted = new ArrayList<>(micros);
        sorted.sort(null);
        double p50 = sorted.get((sorted.size() - 1) / 2) / 1000.0;
        double p99 = sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1) / 1000.0;
        double max = sorted.get(sorted.size() - 1) / 1000.0;
        return withP99 ? String.format(Locale.ROOT, "%.2f / %.2f / %.2f", p50, p99, max)
                : String.format(Locale.ROOT, "%.0f / %.0f", p50, max);
    }

    static final class Settings {
        double rate = 100_000;
        double seconds = 20;
        int swaps = 10;
        int shards = 2;
        int horizonSeconds = 1;
        Path plugins = Path.of(System.getProperty("vigil.plugins", "distribution/target/vigil/plugins"));

        static Settings parse(String[] args) {
            Settings settings = new Settings();
            OptionValues.pairs(args, (option, value) -> {
                switch (option) {
                    case "--rate" -> settings.rate = OptionValues.number(option, value, 1, 100_000_000);
                    case "--seconds" -> settings.seconds = OptionValues.number(option, value, 1, 86_400);
                    case "--swaps" -> settings.swaps = (int) OptionValues.wholeNumber(option, value, 1, 10_000);
                    case "--shards" -> settings.shards = (int) OptionValues.wholeNumber(option, value, 1, 1024);
                    case "--horizon-seconds" -> settings.horizonSeconds = (int) OptionValues.wholeNumber(option, value, 1, 86_400);
                    case "--plugins" -> settings.plugins = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + option + "' (try --help)");
                }
            });
            return settings;
        }
    }
}
