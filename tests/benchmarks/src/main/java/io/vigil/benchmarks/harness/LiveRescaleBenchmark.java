package io.vigil.benchmarks.harness;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.OperatorPool;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A rescale while a Flink job runs, beside what a Flink CEP user does today. The job feeds
 * {@link Workload}'s EPL rule (horizon a day: every event is state) on 2 shards of one host at 70 %
 * of the throughput the better of two unthrottled runs of the same job reached just before. Once the operator
 * holds the wanted events of state it goes to 4 shards over two hosts:
 * <ul>
 *   <li><b>live</b>: {@code OperatorPool.rescale} while the job runs; the subtasks cut over at a
 *   checkpoint. Reported: the call, call to done (every subtask routing to the 4 shards), each
 *   subtask's pause (the sender sending nothing, from the cut's barrier to the new streams open),
 *   and the connector's per-event latency over the rescale against before it;</li>
 *   <li><b>stop and restart</b>: the job stopped with a savepoint, the operator rescaled, the job
 *   started from the savepoint. Reported: from the stop call to the first events sent again.</li>
 * </ul>
 */
final class LiveRescaleBenchmark {
    private static final int PARALLELISM = 2;
    private static final double LOAD = 0.70;
    private static final long CHECKPOINT_MILLIS = 1000;

    record Result(long state, double eventsPerSecond, long callMillis, long doneMillis, long pauseP50Micros, long pauseMaxMicros,
                  double beforeP99Millis, double duringP99Millis, double duringMaxMillis,
                  long stopMillis, long offlineRescaleMillis, long outageMillis) {
    }

    private final Path plugins;
    private final Path root;

    LiveRescaleBenchmark(Path plugins, Path root) {
        this.plugins = plugins;
        this.root = root;
    }

    Result run(long state) throws Exception {
        // The better of two unthrottled runs: the first of a process warms the JIT.
        double fullSpeed = Math.max(calibrate(1_000_000), calibrate(1_000_000));
        double rate = fullSpeed * LOAD;
        // State, then about 8 s more: the rescale, and the stream going on after it.
        long events = state + (long) (rate * 8);
        try (Pool live = new Pool()) {
            VigilTelemetry telemetry = reset();
            JobClient job = start(live.first.endpoint(), events, rate, null);
            await(() -> telemetry.eventsIn() >= state, job, "the operator holds " + state + " events of state");
            Histogram before = telemetry.latencyMicros();
            long call = System.nanoTime();
            live.pool.rescale(Workload.OPERATOR, 4, live.endpoints());
            long callMillis = (System.nanoTime() - call) / 1_000_000;
            await(() -> telemetry.shardsAfterLastCutOver() == 4, job, "every subtask routes to the 4 shards");
            long doneMillis = (System.nanoTime() - call) / 1_000_000;
            TimeUnit.SECONDS.sleep(1);
            Histogram during = telemetry.latencyMicros();
            during.subtract(before);
            job.getJobExecutionResult().get(10, TimeUnit.MINUTES);
            Histogram pauses = telemetry.cutOverPauseMicros();
            try (Pool offline = new Pool()) {
                reset();
                JobClient first = start(offline.first.endpoint(), events, rate, null);
                await(() -> telemetry.eventsIn() >= state, first, "the operator holds " + state + " events of state");
                long stop = System.nanoTime();
                Path savepoints = Files.createTempDirectory(root, "vigil-savepoints");
                String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(5, TimeUnit.MINUTES);
                long stopped = System.nanoTime();
                offline.pool.rescale(Workload.OPERATOR, 4, offline.endpoints());
                long rescaled = System.nanoTime();
                long sent = telemetry.eventsIn();
                JobClient second = start(offline.first.endpoint() + "," + offline.second.endpoint(), events, rate, savepoint);
                await(() -> telemetry.eventsIn() > sent, second, "the restarted job sends events");
                long outage = System.nanoTime() - stop;
                second.cancel().get(1, TimeUnit.MINUTES);
                RescaleBenchmark.delete(savepoints);
                return new Result(state, rate, callMillis, doneMillis, pauses.getValueAtPercentile(50), pauses.getMaxValue(),
                        before.getValueAtPercentile(99) / 1000.0, during.getValueAtPercentile(99) / 1000.0, during.getMaxValue() / 1000.0,
                        (stopped - stop) / 1_000_000, (rescaled - stopped) / 1_000_000, outage / 1_000_000);
            }
        }
    }

    /** Events per second of the same job, unthrottled, on the same placement. */
    private double calibrate(long events) throws Exception {
        try (Pool pool = new Pool()) {
            reset();
            JobClient job = start(pool.first.endpoint(), events, 0, null);
            job.getJobExecutionResult().get(10, TimeUnit.MINUTES);
            return events * 1e9 / (System.nanoTime() - Workload.FIRST_EMIT_NANOS.get());
        }
    }

    private static VigilTelemetry reset() {
        VigilTelemetry telemetry = VigilTelemetry.of(Workload.OPERATOR);
        telemetry.reset();
        return telemetry;
    }

    private static JobClient start(String endpoint, long events, double rate, String savepoint) throws Exception {
        Configuration configuration = new Configuration();
        configuration.setString("restart-strategy.type", "none");
        if (savepoint != null) {
            configuration.setString("execution.savepoint.path", savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, configuration);
        env.setBufferTimeout(1);
        env.getConfig().setAutoWatermarkInterval(10);
        env.enableCheckpointing(CHECKPOINT_MILLIS);
        FlinkVariants.vigil(endpoint, 1024, Duration.ofMillis(2), 4, io.vigil.api.security.TransportSecurity.plaintext()).applyTo(Workload.payments(env, events, rate))
                .sinkTo(new AlertTimer()).name("timed alerts");
        return env.executeAsync("rescaled while it runs");
    }

    private static void await(BooleanSupplier condition, JobClient job, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (job.getJobStatus().get().isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the job ended (" + job.getJobStatus().get() + ") or timed out before " + what);
            }
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }

    /** Two in-process hosts with stores on {@code root}, the operator on 2 shards of the first, the second's EPL warmed up. */
    private final class Pool implements AutoCloseable {
        final Path firstState = Files.createTempDirectory(root, "vigil-live-a");
        final Path secondState = Files.createTempDirectory(root, "vigil-live-b");
        final FunctionHost first = FunctionHost.builder().loopback().pluginsDirectory(plugins).stateDirectory(firstState).build().start();
        final FunctionHost second = FunctionHost.builder().loopback().pluginsDirectory(plugins).stateDirectory(secondState).build().start();
        final OperatorPool pool = new OperatorPool(endpoints(), endpoint -> NettyChannelBuilder.forTarget(endpoint).usePlaintext()
                .maxInboundMessageSize(64 << 20).build(), Duration.ofSeconds(120));

        Pool() throws Exception {
            pool.host(second.endpoint()).deploy(Workload.spec(1).toBuilder().setName("warm-up").build());
            pool.host(second.endpoint()).undeploy("warm-up");
            pool.host(first.endpoint()).deploy(Workload.spec(2));
        }

        List<String> endpoints() {
            return List.of(first.endpoint(), second.endpoint());
        }

        @Override
        public void close() throws Exception {
            pool.close();
            first.close();
            second.close();
            RescaleBenchmark.delete(firstState);
            RescaleBenchmark.delete(secondState);
        }
    }

    static String table(List<Result> results) {
        StringBuilder table = new StringBuilder();
        table.append("| events of state | load | live: call | live: call to done | live: pause per subtask p50 / max"
                        + " | event latency p99 before / during (max) | stop and restart: stop with savepoint | rescale | stop call to events"
                        + " flowing again |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            table.append(String.format(Locale.ROOT, "| %,d | %,.0f ev/s | %,d ms | %,d ms | %,.1f / %,.1f ms | %,.1f / %,.1f (%,.0f) ms"
                            + " | %,d ms | %,d ms | %,d ms |%n", r.state(), r.eventsPerSecond(), r.callMillis(), r.doneMillis(),
                    r.pauseP50Micros() / 1000.0, r.pauseMaxMicros() / 1000.0, r.beforeP99Millis(), r.duringP99Millis(),
                    r.duringMaxMillis(), r.stopMillis(), r.offlineRescaleMillis(), r.outageMillis()));
        }
        return table.toString();
    }
}
