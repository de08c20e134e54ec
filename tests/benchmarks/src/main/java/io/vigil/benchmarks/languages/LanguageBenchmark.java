package io.vigil.benchmarks.languages;

import io.vigil.runtime.cli.OptionValues;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.examples.fraud.functions.RuleLanguage;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The same fraud rule in each language, side by side in one run: the fraud example's Flink job
 * through the connector to one host, each rule as an operator of its own — first unthrottled for
 * the maximum throughput, then at 70 % of it for latency.
 */
public final class LanguageBenchmark {
    record Variant(String rule, String language, OperatorSpec spec) {
    }

    record Result(Variant variant, double maxEventsPerSecond, Histogram latencyMicros, long alerts) {
    }

    private LanguageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = OptionValues.orExit("bench-languages", () -> Settings.parse(args));
        long events = settings.events;
        Path plugins = settings.plugins;
        try (PythonOperatorProcess python = FraudFunctions.pythonRules()) {
            String target = python.target();
            List<Variant> variants = new ArrayList<>();
            for (String rule : List.of("small-then-large", "velocity")) {
                String name = rule.equals("velocity") ? "VELOCITY" : "SMALL_THEN_LARGE";
                variants.add(new Variant(name, "esper", FraudRules.spec(rule + "-esper", FraudRules.statement(name), 2)));
                for (RuleLanguage language : RuleLanguage.values()) {
                    variants.add(new Variant(name, language.id(), language.spec(rule + "-" + language.id(), rule, 2, target)));
                }
            }
            bench(variants, events, plugins);
        }
    }

    private static void bench(List<Variant> variants, long events, Path plugins) throws Exception {
        List<Result> results = new ArrayList<>();
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(plugins).build().start()) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
            ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "Language benchmark: %,d events per run, 2 Flink subtasks, 2 shards%n", events);
            for (Variant variant : variants) {
                run(control, host.endpoint(), variant, events / 4, 0);
            }
            for (Variant variant : variants) {
                double max = run(control, host.endpoint(), variant, events, 0).maxEventsPerSecond();
                Result atLoad = run(control, host.endpoint(), variant, events, max * 0.7);
                Result result = new Result(variant, max, atLoad.latencyMicros(), atLoad.alerts());
                results.add(result);
                System.out.println(row(result));
            }
            channel.shutdownNow();
        }
        Path out = Path.of("docs", "benchmarks", "languages.md");
        Files.createDirectories(out.getParent());
        StringBuilder md = new StringBuilder("# Languages side by side\n\n");
        md.append(String.format(Locale.ROOT, "Run %s on %s: %d cores, Java %s. The fraud example's Flink job (2 subtasks) to one host"
                        + " (2 shards) per rule and language (Python: a process of its own beside the host, over gRPC), %,d seeded transactions per run: maximum throughput unthrottled, latency at"
                        + " 70 %% of it (event handed to the connector → its results emitted).%n%n", LocalDate.now(),
                InetAddress.getLocalHost().getHostName(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                events));
        md.append("| rule | language | max events/s | p50 / p99 at 70 % (ms) | alerts |\n|---|---|---:|---:|---:|\n");
        results.forEach(r -> md.append(row(r)).append('\n'));
        boolean agree = results.stream().allMatch(r -> results.stream()
                .filter(o -> o.variant().rule().equals(r.variant().rule())).allMatch(o -> o.alerts() == r.alerts()));
        md.append(agree ? "\nEvery language raised the same number of alerts for each rule.\n"
                : "\n**The languages disagree on the alerts of a rule.**\n");
        Files.writeString(out, md.toString());
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** One pass of the stream through a freshly deployed operator (the stream starts over, so state must too). */
    private static Result run(ControlPlaneClient control, String endpoint, Variant variant, long events, double eventsPerSecond)
            throws Exception {
        control.deploy(variant.spec());
        VigilTelemetry telemetry = VigilTelemetry.of(variant.spec().getName());
        telemetry.reset();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
        CollectingSink<Object> sink = new CollectingSink<>();
        FraudDetectionJob.alerts(env, new FraudDetectionJob.Settings(endpoint, variant.spec().getName(), events, 42, 0.003, 1024,
                Duration.ofMillis(2), eventsPerSecond)).map(alert -> (Object) alert.getTxnId()).sinkTo(sink).setParallelism(1);
        long start = System.nanoTime();
        env.execute(variant.rule() + " in " + variant.language());
        double seconds = (System.nanoTime() - start) / 1e9;
        long alerts = sink.results().size();
        sink.release();
        control.undeploy(variant.spec().getName());
        return new Result(variant, events / seconds, telemetry.latencyMicros(), alerts);
    }

    private static String row(Result r) {
        return String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f / %.2f | %,d |", r.variant().rule(), r.variant().language(),
                r.maxEventsPerSecond(), r.latencyMicros().getValueAtPercentile(50) / 1000.0,
                r.latencyMicros().getValueAtPercentile(99) / 1000.0, r.alerts());
    }

    /** {@code --events} and the {@code --plugins} the launcher passes. */
    static final class Settings {
        long events = 500_000;
        Path plugins = Path.of("distribution/target/vigil/plugins");

        static Settings parse(String[] args) {
            Settings settings = new Settings();
            OptionValues.pairs(args, (option, value) -> {
                switch (option) {
                    case "--events" -> settings.events = OptionValues.wholeNumber(option, value, 1, Long.MAX_VALUE);
                    case "--plugins" -> settings.plugins = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + option + "' (try --help)");
                }
            });
            return settings;
        }
    }
}
