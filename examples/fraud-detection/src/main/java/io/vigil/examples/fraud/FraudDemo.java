package io.vigil.examples.fraud;

import io.grpc.ManagedChannel;
import io.vigil.api.security.TransportSecurity;
import io.vigil.examples.fraud.tls.LocalCertificates;
import io.vigil.runtime.security.HostTls;
import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.codec.SwapReports;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.ShardStatus;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.examples.fraud.functions.RuleLanguage;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import io.vigil.runtime.cli.OptionValues;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The local fraud demo: a function host in this process, the four EPL rules deployed on it over
 * gRPC, and the Flink job on a local MiniCluster streaming seeded transactions through them. Prints
 * live progress, then precision and recall per rule against the injected fraud, throughput and
 * latency percentiles.
 */
public final class FraudDemo {
    private static final String SOURCE_HOLDS = "vigil-fraud-demo";

    private FraudDemo() {
    }

    public static void main(String[] args) throws Exception {
        Options options = OptionValues.orExit("demo", () -> Options.parse(args));
        if (options == null) {
            return;
        }
        boolean perfect = run(options, System.out);
        System.exit(perfect ? 0 : 1);
    }

    /** Runs the demo; true when every rule scored precision = recall = 1.0. */
    public static boolean run(Options options, PrintStream out) throws Exception {
        if (options.language.equals("esper") || !RuleLanguage.of(options.language).needsProcess()) {
            return runWithHost(options, out);
        }
        try (PythonOperatorProcess python = FraudFunctions.pythonRules()) {
            options.pythonTarget = python.target();
            out.printf(Locale.ROOT, "Python rules: fraud_rules.py serving small_then_large and velocity at %s (pid %d)%n",
                    python.target(), python.pid());
            return runWithHost(options, out);
        }
    }

    private static boolean runWithHost(Options options, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "Vigil fraud demo: %,d transactions, seed %d, %d Flink subtasks, %d shards, %s%n",
                options.events, options.seed, options.parallelism, options.shards,
                options.rate > 0 ? String.format(Locale.ROOT, "source limited to %,.0f events/s", options.rate) : "source unthrottled");
        Path stateDirectory = options.checkpointMillis > 0 ? LocalStateDirectory.create(options.stateRoot, "vigil-demo-state") : null;
        FunctionHost.Settings hostSettings = FunctionHost.builder().loopback().pluginsDirectory(options.plugins)
                .stateDirectory(stateDirectory).storeSize(16 << 20, 4L << 30).consolePort(options.consolePort);
        String transport = "plaintext, loopback only";
        if (options.tls) {
            Path certificates = java.nio.file.Files.createTempDirectory("vigil-demo-tls");
            LocalCertificates authority = LocalCertificates.authority("vigil-demo", certificates);
            LocalCertificates.Issued hostCertificate = authority.issue("fraud-demo-host", certificates);
            LocalCertificates.Issued jobCertificate = authority.issue("fraud-demo-job", certificates);
            hostSettings.tls(new HostTls(hostCertificate.certificate(), hostCertificate.key(), authority.caFile));
            options.security = TransportSecurity.tls(authority.caFile, jobCertificate.certificate(), jobCertificate.key());
            transport = "mutual TLS with certificates made for this run, loopback only";
        }
        try (FunctionHost host = hostSettings.build().start();
                LocalFlinkCluster flink = LocalFlinkCluster.start(options.parallelism)) {
            String endpoint = host.endpoint();
            if (host.store() != null) {
                out.printf(Locale.ROOT, "State store %s in %s mode: %s%n", stateDirectory, host.store().mode(), host.store().modeReason());
            }
            if (host.consoleUrl() != null) {
                out.printf(Locale.ROOT, "Web console at %s#operator=%s while the demo runs%n", host.consoleUrl(), FraudRules.OPERATOR);
            }
            ManagedChannel channel = options.security.channel(endpoint);
            try {
                ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(30));
                long deployStart = System.nanoTime();
                for (OperatorSpec operator : operators(options)) {
                    control.deploy(operator);
                }
                out.printf(Locale.ROOT, "Deployed %s on the function host at %s (%s) in %d ms%n",
                        options.language.equals("esper") ? "operator 'fraud-rules' (4 EPL rules, " + options.shards + " shards)"
                                : "operators 'fraud-rules' (2 EPL rules), 'small-then-large' and 'velocity' (" + options.language + "), "
                                        + options.shards + " shards each",
                        endpoint, transport, (System.nanoTime() - deployStart) / 1_000_000);
            } catch (OperatorRejectedException e) {
                out.println("The function host rejected the rules: " + e.getMessage());
                return false;
            } finally {
                channel.shutdownNow();
            }

            List<ExpectedAlert> expected = TransactionGenerator.groundTruth(options.seed, options.events, options.fraudRate);
            VigilTelemetry telemetry = VigilTelemetry.of(FraudRules.OPERATOR);
            telemetry.reset();

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(options.parallelism);
            if (options.checkpointMillis > 0) {
                env.enableCheckpointing(options.checkpointMillis);
            }
            CollectingSink<Alert> sink = new CollectingSink<>();
            List<PlannedUpdate> plan = options.swap && host.store() != null ? updates(options) : List.of();
            SourceHolds holds = SourceHolds.register(SOURCE_HOLDS, holdPoints(plan, options.events));
            FraudDetectionJob.Settings settings = new FraudDetectionJob.Settings(endpoint, FraudRules.OPERATOR, options.events,
                    options.seed, options.fraudRate, options.batchSize, Duration.ofMillis(options.lingerMillis), options.rate,
                    SOURCE_HOLDS).withSecurity(options.security);
            FraudDetectionJob.alerts(env, settings, operators(options).stream().map(OperatorSpec::getName).toList())
                    .sinkTo(sink).name("alerts");

            JobClient job = flink.submit(env, "vigil-fraud-demo");
            Swap swap = plan.isEmpty() ? null : new Swap(endpoint, options.security, telemetry, plan, holds, () -> job.getJobExecutionResult().isDone());
            if (swap != null) {
                swap.start();
            }
            long firstEventNanos = 0;
            long lastPrint = System.nanoTime();
            long lastEvents = 0;
            while (!job.getJobExecutionResult().isDone()) {
                TimeUnit.MILLISECONDS.sleep(100);
                long events = telemetry.eventsIn();
                long now = System.nanoTime();
                if (firstEventNanos == 0 && events > 0) {
                    firstEventNanos = now;
                }
                if (now - lastPrint >= 1_000_000_000L) {
                    double rate = (events - lastEvents) * 1e9 / (now - lastPrint);
                    out.printf(Locale.ROOT, "\r  events %,11d / %,d | %,9.0f events/s | alerts %,6d   ",
                            events, options.events, rate, sink.results().size());
                    out.flush();
                    lastPrint = now;
                    lastEvents = events;
                }
            }
            job.getJobExecutionResult().get();
            long endNanos = System.nanoTime();
            out.printf(Locale.ROOT, "\r  events %,11d / %,d | done%40s%n", telemetry.eventsIn(), options.events, "");

            List<Alert> alerts = new ArrayList<>(sink.results());
            sink.release();
            FraudReport report = FraudReport.of(expected, alerts);
            out.println();
            report.table().forEach(out::println);
            double held = holds.heldNanos() / 1e9;
            double seconds = (endNanos - firstEventNanos) / 1e9 - held;
            Histogram latency = telemetry.latencyMicros();
            out.println();
            out.printf(Locale.ROOT, "throughput   %,.0f events/s (%,d events in %.2f s%s)%n", options.events / seconds, options.events, seconds,
                    held >= 0.01 ? String.format(Locale.ROOT, ", not counting %.2f s the source waited for the updates to become active", held) : "");
            out.printf(Locale.ROOT, "latency      p50 %.2f ms | p99 %.2f ms | p99.9 %.2f ms | max %.2f ms  (event handed to the connector -> its results emitted)%n",
                    latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                    latency.getValueAtPercentile(99.9) / 1000.0, latency.getMaxValue() / 1000.0);
            if (swap != null) {
                swap.join(TimeUnit.MINUTES.toMillis(2));
                swap.report(endpoint, options.events).forEach(out::println);
            }
            if (options.checkpointMillis > 0) {
                out.println(checkpointLine(options, telemetry, endpoint));
            } else {
                out.println("checkpoints  off");
            }
            out.println(report.perfect() ? "All four rules found exactly the injected fraud." : "Some rules missed fraud or raised false alerts.");
            return report.perfect();
        } finally {
            SourceHolds.unregister(SOURCE_HOLDS);
            LocalStateDirectory.delete(stateDirectory);
        }
    }

    /** How many checkpoints completed and what they cost the Flink task, the shards, and the time to durable. */
    private static String checkpointLine(Options options, VigilTelemetry telemetry, String endpoint) {
        Histogram snapshot = telemetry.checkpointPauseMicros();
        Histogram durable = telemetry.checkpointDurableMicros();
        long shardP99 = 0;
        long shardMax = 0;
        ManagedChannel channel = options.security.channel(endpoint);
        try {
            for (OperatorSpec operator : operators(options)) {
                for (ShardStatus shard : new ControlPlaneClient(channel, Duration.ofSeconds(30)).describe(operator.getName()).getShardsList()) {
                    shardP99 = Math.max(shardP99, shard.getCheckpointPauses().getP99Micros());
                    shardMax = Math.max(shardMax, shard.getCheckpointPauses().getMaxMicros());
                }
            }
        } finally {
            channel.shutdownNow();
        }
        return String.format(Locale.ROOT, "checkpoints  %d completed (one triggered every %d ms while they keep up)%s", telemetry.checkpointsCompleted(),
                options.checkpointMillis, snapshot.getTotalCount() == 0 ? "" : String.format(Locale.ROOT,
                        "%n             held each Flink subtask p50 %.2f ms | p99 %.2f ms; each shard p99 %.2f ms | max %.2f ms;"
                                + " durable after p50 %.1f ms | p99 %.1f ms",
                        snapshot.getValueAtPercentile(50) / 1000.0, snapshot.getValueAtPercentile(99) / 1000.0, shardP99 / 1000.0,
                        shardMax / 1000.0, durable.getValueAtPercentile(50) / 1000.0, durable.getValueAtPercentile(99) / 1000.0));
    }

    /**
     * Where the source waits for each update to be active: 15 % of the stream after the update is
     * called, or where the next one is called, so each version runs on part of any stream.
     */
    static long[] holdPoints(List<PlannedUpdate> plan, long events) {
        long[] holdAt = new long[plan.size()];
        for (int i = 0; i < plan.size(); i++) {
            long next = i + 1 < plan.size() ? plan.get(i + 1).atEvent() : events;
            holdAt[i] = Math.min(plan.get(i).atEvent() + events * 15 / 100, next);
        }
        return holdAt;
    }

    /** An update the demo makes once the job has sent {@code atEvent} events. */
    record PlannedUpdate(long atEvent, OperatorSpec spec, String what) {
    }

    /**
     * The operators the demo runs, by language: all four rules in EPL, or SMALL_THEN_LARGE and
     * VELOCITY in Java, JavaScript, SiddhiQL or Python beside the other two in EPL.
     */
    static List<OperatorSpec> operators(Options options) {
        if (options.language.equals("esper")) {
            return List.of(FraudRules.spec(options.shards));
        }
        return List.of(
                FraudRules.spec(FraudRules.OPERATOR, FraudRules.eplWithout("SMALL_THEN_LARGE", "VELOCITY"), options.shards),
                smallThenLarge(options, "200.00"),
                // Input kept a while beside the snapshots, so the update below can move the rule to EPL by replay.
                RuleLanguage.of(options.language).spec("velocity", "velocity", options.shards, options.pythonTarget).toBuilder()
                        .putOptions("retention", "2 min").build());
    }

    private static OperatorSpec smallThenLarge(Options options, String large) {
        RuleLanguage language = RuleLanguage.of(options.language);
        OperatorSpec spec = language.smallThenLarge("small-then-large", options.shards, options.pythonTarget, large);
        // SiddhiQL's update rebuilds state by replay, from a day of input.
        return language == RuleLanguage.SIDDHI ? spec.toBuilder().putOptions("retention", "1 day").build() : spec;
    }

    /**
     * Two in-place updates while the stream runs: at 40 % a threshold change (SMALL_THEN_LARGE
     * flags a large charge from 150.00 instead of 200.00), at 70 % a logic change (VELOCITY also
     * requires more than 50.00 spent in the minute) — in another language, the second also moves
     * VELOCITY to EPL. In EPL each changes one statement, and the host takes the other three over as they run.
     */
    static List<PlannedUpdate> updates(Options options) {
        String velocity = "having count(*) > 5;";
        String spending = "having count(*) > 5 and sum(amount) > 50.00;";
        if (options.language.equals("esper")) {
            String tightened = FraudRules.epl().replace("amount >= 200.00", "amount >= 150.00");
            if (tightened.equals(FraudRules.epl()) || !tightened.contains(velocity)) {
                throw new IllegalStateException("fraud-rules.epl no longer has the lines the demo's updates change");
            }
            return List.of(
                    new PlannedUpdate(options.events * 4 / 10, FraudRules.spec(FraudRules.OPERATOR, tightened, options.shards),
                            "threshold: SMALL_THEN_LARGE from 200.00 down to 150.00"),
                    new PlannedUpdate(options.events * 7 / 10, FraudRules.spec(FraudRules.OPERATOR, tightened.replace(velocity, spending),
                            options.shards), "logic: VELOCITY also needs more than 50.00 spent in the minute"));
        }
        String language = RuleLanguage.of(options.language).displayName();
        return List.of(
                new PlannedUpdate(options.events * 4 / 10, smallThenLarge(options, "150.00"),
                        "threshold: SMALL_THEN_LARGE (" + language + ") from 200.00 down to 150.00"),
                new PlannedUpdate(options.events * 7 / 10, FraudRules.spec("velocity",
                        FraudRules.statement("VELOCITY").replace(velocity, spending), options.shards),
                        "logic and language: VELOCITY from " + language + " to EPL, also needing more than 50.00 spent"));
    }

    /**
     * Makes the planned updates, releasing the source's hold after each is active, then reports each
     * swap and how many events each version of an operator processed.
     */
    private static final class Swap extends Thread {
        private final String endpoint;
        private final TransportSecurity security;
        private final VigilTelemetry telemetry;
        private final List<PlannedUpdate> plan;
        private final SourceHolds holds;
        private final BooleanSupplier jobEnded;
        private final List<String> lines = new ArrayList<>();
        private final Map<String, List<Long>> processedAtSwaps = new LinkedHashMap<>();

        Swap(String endpoint, TransportSecurity security, VigilTelemetry telemetry, List<PlannedUpdate> plan, SourceHolds holds,
                BooleanSupplier jobEnded) {
            super("vigil-demo-swap");
            this.endpoint = endpoint;
            this.security = security;
            this.telemetry = telemetry;
            this.plan = plan;
            this.holds = holds;
            this.jobEnded = jobEnded;
            setDaemon(true);
        }

        @Override
        public void run() {
            ManagedChannel channel = security.channel(endpoint);
            try {
                ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(120));
                for (int swap = 1; swap <= plan.size(); swap++) {
                    if (!update(control, swap, plan.get(swap - 1))) {
                        return;
                    }
                    holds.releaseNext();
                }
            } catch (Exception e) {
                lines.add("swap         failed: " + e.getMessage());
            } finally {
                holds.releaseAll();
                channel.shutdownNow();
            }
        }

        /** False when the job ended before the update's point in the stream. */
        private boolean update(ControlPlaneClient control, int swap, PlannedUpdate update) throws InterruptedException {
            while (telemetry.eventsIn() < update.atEvent()) {
                if (jobEnded.getAsBoolean()) {
                    lines.add(String.format(Locale.ROOT, "swap %d       not made: the job ended at event %,d, before %,d",
                            swap, telemetry.eventsIn(), update.atEvent()));
                    return false;
                }
                TimeUnit.MILLISECONDS.sleep(5);
            }
            long atCall = telemetry.eventsIn();
            long start = System.nanoTime();
            var status = control.update(update.spec());
            long callToActive = (System.nanoTime() - start) / 1_000_000;
            long maxPause = status.getShardsList().stream().mapToLong(s -> s.getLastSwap().getPauseMicros()).max().orElse(0);
            processedAtSwaps.computeIfAbsent(update.spec().getName(), name -> new ArrayList<>())
                    .add(status.getShardsList().stream().mapToLong(s -> s.getLastSwap().getEventsBefore()).sum());
            lines.add(String.format(Locale.ROOT, "swap %d       %s version %d (%s), called at event %,d: %,d ms from the call to active,"
                    + " pause at the switch at most %.2f ms", swap, update.spec().getName(), status.getVersion(), update.what(), atCall,
                    callToActive, maxPause / 1000.0));
            lines.add("               shard 0: " + SwapReports.describe(status.getShards(0).getLastSwap()));
            return true;
        }

        /** The swaps, then per operator swapped how many events each version processed, against what the job sent. */
        List<String> report(String endpoint, long sent) {
            List<String> report = new ArrayList<>(lines);
            ManagedChannel channel = security.channel(endpoint);
            try {
                ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(30));
                processedAtSwaps.forEach((operator, atSwaps) -> {
                    long processed = control.describe(operator).getShardsList().stream().mapToLong(s -> s.getEventsProcessed()).sum();
                    StringBuilder versions = new StringBuilder();
                    long before = 0;
                    for (int v = 0; v <= atSwaps.size(); v++) {
                        long upTo = v < atSwaps.size() ? atSwaps.get(v) : processed;
                        versions.append(String.format(Locale.ROOT, "%sversion %d: %,d", v == 0 ? "" : ", ", v + 1, upTo - before));
                        before = upTo;
                    }
                    report.add(String.format(Locale.ROOT, "exactly once %s: %,d events sent; processed by %s; lost %,d, processed twice %,d",
                            operator, sent, versions, Math.max(0, sent - processed), Math.max(0, processed - sent)));
                });
            } finally {
                channel.shutdownNow();
            }
            return report;
        }
    }

    /** Command-line options of the demo. */
    public static final class Options {
        long events = 1_000_000;
        long seed = 42;
        double fraudRate = 0.003;
        int parallelism = 2;
        int shards = 2;
        int batchSize = 1024;
        long lingerMillis = 2;
        long checkpointMillis = 1000;
        boolean swap = true;
        String language = "esper";
        /** Where the Python rules' process listens, once the demo has started it. */
        String pythonTarget;
        Path stateRoot = LocalStateDirectory.defaultRoot();
        double rate;
        boolean tls;
        int consolePort = 0;
        TransportSecurity security = TransportSecurity.plaintext();
        Path plugins = Path.of(System.getProperty("vigil.plugins", "plugins"));

        public static Options defaults() {
            return new Options();
        }

        public Options events(long value) {
            events = value;
            return this;
        }

        public Options plugins(Path value) {
            plugins = value;
            return this;
        }

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--help") || option.equals("-h")) {
                    System.out.println("usage: vigil demo [--events 1000000] [--seed 42] [--fraud-rate 0.003] [--parallelism 2]"
                            + " [--shards 2] [--batch-size 1024] [--linger-ms 2] [--rate EVENTS_PER_S] [--checkpoint-ms 1000 (0 = off)] [--swap true] [--language esper|java|javascript|siddhi|python] [--state-root /dev/shm] [--plugins DIR] [--tls false] [--console-port 0 (-1 = none)]");
                    return null;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--events" -> options.events = OptionValues.wholeNumber(option, value, 1, Long.MAX_VALUE);
                    case "--seed" -> options.seed = OptionValues.wholeNumber(option, value, Long.MIN_VALUE, Long.MAX_VALUE);
                    case "--fraud-rate" -> options.fraudRate = OptionValues.number(option, value, 0, 1);
                    case "--parallelism" -> options.parallelism = (int) OptionValues.wholeNumber(option, value, 1, 64);
                    case "--shards" -> options.shards = (int) OptionValues.wholeNumber(option, value, 1, 1024);
                    case "--batch-size" -> options.batchSize = (int) OptionValues.wholeNumber(option, value, 1, 1 << 20);
                    case "--linger-ms" -> options.lingerMillis = OptionValues.wholeNumber(option, value, 0, 60_000);
                    case "--checkpoint-ms" -> options.checkpointMillis = OptionValues.wholeNumber(option, value, 0, Long.MAX_VALUE);
                    case "--swap" -> options.swap = OptionValues.trueOrFalse(option, value);
                    case "--language" -> {
                        if (!value.equals("esper") && !RuleLanguage.ids().contains(value)) {
                            throw new IllegalArgumentException("--language must be esper, " + String.join(", ", RuleLanguage.ids())
                                    + ", not " + value);
                        }
                        options.language = value;
                    }
                    case "--state-root" -> options.stateRoot = Path.of(value);
                    case "--rate" -> options.rate = OptionValues.number(option, value, 0, Double.MAX_VALUE);
                    case "--plugins" -> options.plugins = Path.of(value);
                    case "--tls" -> options.tls = OptionValues.trueOrFalse(option, value);
                    case "--console-port" -> options.consolePort = (int) OptionValues.wholeNumber(option, value, -1, 65_535);
                    default -> throw new IllegalArgumentException("unknown option '" + option + "' (try --help)");
                }
            }
            return options;
        }
    }
}
