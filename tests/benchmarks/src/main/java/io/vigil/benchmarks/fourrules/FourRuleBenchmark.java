package io.vigil.benchmarks.fourrules;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.benchmarks.harness.CheckpointFigures;
import io.vigil.benchmarks.harness.CheckpointedHost;
import io.vigil.benchmarks.harness.Machine;
import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.ExpectedAlert;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudReport;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import io.vigil.runtime.cli.OptionValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The flagship workload side by side: the demo's four EPL fraud rules on its seeded transactions,
 * (a) embedded in a Flink function, (b) through Vigil, (b+) through Vigil with an exactly-once
 * checkpoint every second, (d) the closest Flink CEP patterns; each at its highest throughput and
 * then at 70 % of it, each checked against the injected fraud. Writes docs/benchmarks/four-rules.md.
 */
public final class FourRuleBenchmark {
    static final long SEED = 42;
    static final double FRAUD_RATE = 0.003;
    static final AtomicLong FIRST_EMIT_NANOS = new AtomicLong();

    enum Variant {
        EMBEDDED("a", "the four rules' EPL embedded in a Flink KeyedProcessFunction"),
        VIGIL("b", "Vigil: the same EPL as a remote operator"),
        VIGIL_CHECKPOINTED("b+", "Vigil, exactly-once checkpoint every second"),
        FLINK_CEP("d", "the closest Flink CEP pattern for each rule");

        final String letter;
        final String description;

        Variant(String letter, String description) {
            this.letter = letter;
            this.description = description;
        }
    }

    /** @param checkpoints what the run's checkpoints cost; null for variants without */
    record Run(long events, long nanos, boolean exact, String missed, Histogram latencyMicros, CheckpointFigures checkpoints) {
        double eventsPerSecond() {
            return events * 1e9 / nanos;
        }
    }

    static final class Settings {
        long events = 1_000_000;
        int shards = 2;
        int parallelism = 2;
        double loadSeconds = 8;
        long watermarkMillis = 10;
        Path plugins = Path.of("distribution/target/vigil/plugins");
        Path out = Path.of("docs/benchmarks");

        static Settings parse(String[] args) {
            Settings settings = new Settings();
            OptionValues.pairs(args, (option, value) -> {
                switch (option) {
                    case "--events" -> settings.events = OptionValues.wholeNumber(option, value, 10_000, Long.MAX_VALUE);
                    case "--shards" -> settings.shards = (int) OptionValues.wholeNumber(option, value, 1, 128);
                    case "--parallelism" -> settings.parallelism = (int) OptionValues.wholeNumber(option, value, 1, 64);
                    case "--load-seconds" -> settings.loadSeconds = OptionValues.number(option, value, 1, 3600);
                    case "--watermark-ms" -> settings.watermarkMillis = OptionValues.wholeNumber(option, value, 1, 10_000);
                    case "--plugins" -> settings.plugins = Path.of(value);
                    case "--out" -> settings.out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + option + "' (try --help)");
                }
            });
            return settings;
        }
    }

    private FourRuleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = OptionValues.orExit("bench-four-rules", () -> Settings.parse(args));
        System.out.printf(Locale.ROOT, "Four-rule benchmark: %,d transactions, %d Flink subtasks, %d shards%n",
                settings.events, settings.parallelism, settings.shards);
        List<String> lines = new ArrayList<>();
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(settings.plugins).build().start();
             CheckpointedHost checkpointed = CheckpointedHost.start(settings.plugins, FraudRules.spec(settings.shards))) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
            new ControlPlaneClient(channel, Duration.ofSeconds(60)).deploy(FraudRules.spec(settings.shards));
            channel.shutdownNow();
            for (Variant variant : Variant.values()) {
                run(variant, host, checkpointed, settings, settings.events / 4, 0);
            }
            // The JIT keeps improving the paths the variants share (connector, host, Esper) for
            // several runs, so whichever ran later came out ahead by up to a fifth: each variant's
            // maximum is the better of two rounds over all of them.
            Map<Variant, Run> best = new EnumMap<>(Variant.class);
            for (int round = 0; round < 2; round++) {
                for (Variant variant : Variant.values()) {
                    Run max = run(variant, host, checkpointed, settings, settings.events, 0);
                    best.merge(variant, max, (one, other) -> one.eventsPerSecond() >= other.eventsPerSecond() ? one : other);
                }
            }
            for (Variant variant : Variant.values()) {
                Run max = best.get(variant);
                double rate = 0.7 * max.eventsPerSecond();
                long loadEvents = Math.max(10_000, Math.min(settings.events, (long) (rate * settings.loadSeconds)));
                Run atLoad = run(variant, host, checkpointed, settings, loadEvents, rate);
                String line = row(variant, max, rate, atLoad);
                System.out.println(line);
                lines.add(line);
            }
        }
        String markdown = markdown(settings, lines);
        Files.createDirectories(settings.out);
        Files.writeString(settings.out.resolve("four-rules.md"), markdown);
        System.out.println();
        markdown.lines().forEach(System.out::println);
    }

    /** Runs one variant: the checkpointed one on the host with a store, the others on the host without. */
    static Run run(Variant variant, FunctionHost host, CheckpointedHost checkpointed, Settings settings, long events,
                   double eventsPerSecond) throws Exception {
        return variant == Variant.VIGIL_CHECKPOINTED
                ? run(variant, checkpointed.endpoint(), checkpointed, settings, events, eventsPerSecond)
                : run(variant, host.endpoint(), null, settings, events, eventsPerSecond);
    }

    private static Run run(Variant variant, String endpoint, CheckpointedHost checkpointed, Settings settings, long events,
                           double eventsPerSecond) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(settings.parallelism, new Configuration());
        env.setBufferTimeout(1);
        env.getConfig().setAutoWatermarkInterval(settings.watermarkMillis);
        if (variant == Variant.VIGIL_CHECKPOINTED) {
            env.enableCheckpointing(1000);
        }
        FraudDetectionJob.Settings job = new FraudDetectionJob.Settings(endpoint, FraudRules.OPERATOR, events, SEED,
                FRAUD_RATE, 1024, Duration.ofMillis(2), eventsPerSecond);
        DataStream<Transaction> transactions = FraudDetectionJob.transactions(env, job)
                .map(FourRuleBenchmark::firstEmit).returns(TypeInformation.of(Transaction.class)).setParallelism(1);
        DataStream<Alert> alerts = switch (variant) {
            case EMBEDDED -> transactions.keyBy(Transaction::getCardId).process(new EmbeddedFraudRules()).returns(TypeInformation.of(Alert.class));
            case FLINK_CEP -> FlinkCepFraudRules.alerts(transactions);
            case VIGIL, VIGIL_CHECKPOINTED -> FraudDetectionJob.alerts(transactions, job, List.of(FraudRules.OPERATOR));
        };
        alerts.sinkTo(new TimedAlerts()).name("timed alerts");
        VigilTelemetry telemetry = VigilTelemetry.of(FraudRules.OPERATOR);
        telemetry.reset();
        TimedAlerts.reset(eventsPerSecond > 0);
        FIRST_EMIT_NANOS.set(0);
        CheckpointedHost.PauseReading before = checkpointed == null ? null : checkpointed.reading();
        env.execute("four rules " + variant.letter);
        long nanos = System.nanoTime() - FIRST_EMIT_NANOS.get();
        List<ExpectedAlert> expected = TransactionGenerator.groundTruth(SEED, events, FRAUD_RATE);
        FraudReport report = FraudReport.of(expected, TimedAlerts.alerts());
        StringBuilder missed = new StringBuilder();
        for (io.vigil.examples.fraud.Rule rule : io.vigil.examples.fraud.Rule.values()) {
            FraudReport.RuleScore score = report.score(rule);
            if (score.precision() < 1 || score.recall() < 1) {
                missed.append(String.format(Locale.ROOT, "%s%s precision %.3f recall %.3f", missed.length() == 0 ? "" : "; ", rule,
                        score.precision(), score.recall()));
            }
        }
        return new Run(events, nanos, report.perfect(), missed.toString(), TimedAlerts.latencyMicros(),
                checkpointed == null ? null : CheckpointFigures.of(telemetry, checkpointed.reading().since(before)));
    }

    private static Transaction firstEmit(Transaction transaction) {
        if (FIRST_EMIT_NANOS.get() == 0) {
            FIRST_EMIT_NANOS.compareAndSet(0, System.nanoTime());
        }
        return TimedAlerts.emitted(transaction);
    }

    private static String row(Variant variant, Run max, double rate, Run atLoad) {
        return String.format(Locale.ROOT, "| (%s) %s | %,.0f | %s | %,.0f | %s | %s | %s |", variant.letter, variant.description,
                max.eventsPerSecond(), max.exact() && atLoad.exact() ? "yes" : "no: " + max.missed(), rate,
                String.format(Locale.ROOT, "%.1f / %.1f", atLoad.latencyMicros().getValueAtPercentile(50) / 1000.0,
                        atLoad.latencyMicros().getValueAtPercentile(99) / 1000.0),
                atLoad.checkpoints() == null ? "—" : atLoad.checkpoints().summary(),
                max.checkpoints() == null ? "—" : max.checkpoints().summary());
    }

    private static String markdown(Settings settings, List<String> rows) {
        StringBuilder md = new StringBuilder("# Side by side: the four fraud rules\n\n");
        md.append(String.format(Locale.ROOT, "Run %s on %s: %d cores, Java %s. The demo's four EPL rules (SMALL_THEN_LARGE, VELOCITY,"
                        + " IMPOSSIBLE_TRAVEL, ABOVE_AVERAGE) on %,d seeded transactions (seed %d, fraud rate %s), %d Flink subtasks,"
                        + " %d shards, one machine, Flink's periodic watermark every %d ms. Each variant runs unthrottled in two rounds over all"
                        + " of them after a warm-up pass (max: the better of its two), then with the source limited to 70 %% of that (load).%n%n", LocalDate.now(), Machine.describe(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), settings.events, SEED, FRAUD_RATE,
                settings.parallelism, settings.shards, settings.watermarkMillis));
        md.append("| variant | max (events/s) | exactly the injected fraud | load (events/s) | latency p50 / p99 at load (ms) |"
                + " checkpoints at load | checkpoints at max |\n");
        md.append("|---|---:|:---:|---:|---:|---:|---:|\n");
        rows.forEach(row -> md.append(row).append('\n'));
        md.append("\nLatency, the same for every variant: from the source emitting a transaction to an alert on it reaching the sink."
                + " Checkpoints: " + CheckpointFigures.EXPLAINED + "\n");
        return md.toString();
    }
}
