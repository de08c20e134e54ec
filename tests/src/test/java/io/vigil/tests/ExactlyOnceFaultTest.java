package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorPool;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.examples.fraud.functions.RuleLanguage;
import io.vigil.examples.fraud.ExpectedAlert;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.TransactionGenerator;
import io.vigil.flink.VigilTelemetry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four fraud rules through Flink with checkpoints and Flink's exactly-once file sink, while
 * something fails mid-stream: the function host (a child process) is killed with SIGKILL, or halts
 * between a durable checkpoint and its acknowledgement, or halts with two checkpoints overlapping;
 * or a Flink task fails, with aligned or unaligned checkpoints, or inside a checkpoint the host has
 * already taken. The committed alerts must equal those of the same job run without failure (which
 * are the injected fraud, each once).
 */
class ExactlyOnceFaultTest {
    static final long EVENTS = 60_000;
    static final long SEED = 5;
    static final double FRAUD_RATE = 0.004;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    @TempDir
    Path state;

    @TempDir
    Path alerts;

    /** The committed output of the same job on the same seeded input, with no failure. */
    static List<String> failureFree;

    @BeforeAll
    static void runWithoutFailure(@TempDir Path referenceState, @TempDir Path referenceAlerts) throws Exception {
        try (var host = io.vigil.runtime.FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .stateDirectory(referenceState).build().start()) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
            new ControlPlaneClient(channel, Duration.ofSeconds(60)).deploy(FraudRules.spec(2));
            channel.shutdownNow();
            StreamExecutionEnvironment env = environment();
            FraudDetectionJob.alerts(env, settings(host.endpoint()))
                    .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                    .sinkTo(fileSink(referenceAlerts)).setParallelism(1);
            env.execute("failure-free reference");
        }
        failureFree = committed(referenceAlerts);
    }

    /**
     * A host killed mid-stream with SIGKILL, during a live rescale: the operator's two shards on two
     * host processes, one each, the job given both hosts. Mid-stream the operator is rescaled to 4
     * shards over the same two hosts, and right after the call, before the job's streams have cut
     * over, the second host is killed and restarted on its store and port. The job restarts from
     * its last checkpoint, taken on the 2 shards, onto the 4 the hosts recorded: each new shard
     * restores by key group, from its own host's store or the other's.
     */
    @Test
    void aHostKilledDuringALiveRescaleLosesNothingAndDuplicatesNothing(@TempDir Path otherState) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (HostProcess first = HostProcess.start(state)) {
            AtomicReference<HostProcess> second = new AtomicReference<>(HostProcess.start(otherState, port));
            HostProcess killed = second.get();
            String pool = first.endpoint() + "," + second.get().endpoint();
            try (OperatorPool control = TestHosts.pool(pool)) {
                var placement = control.deploy(FraudRules.spec(2)).getPlacement();
                assertThat(placement.getShardsList()).extracting(ShardPlacement::getHost)
                        .containsExactly(first.endpoint(), second.get().endpoint());
                VigilTelemetry telemetry = VigilTelemetry.of(FraudRules.OPERATOR);
                telemetry.reset();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread rescaleThenKill = TestHosts.afterEvents(telemetry, EVENTS / 2, "rescale-then-kill", () -> {
                    control.rescale(FraudRules.OPERATOR, 4, List.of(first.endpoint(), killed.endpoint()));
                    killed.kill();
                    TimeUnit.MILLISECONDS.sleep(300);
                    second.set(HostProcess.start(otherState, port));
                }, failed);
                StreamExecutionEnvironment env = environment();
                Path sink = alerts;
                FraudDetectionJob.alerts(env, settings(pool))
                        .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                        .sinkTo(fileSink(sink)).setParallelism(1);
                env.execute("exactly once over two hosts, one killed during a live rescale");
                rescaleThenKill.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(failed.get()).as("the rescale and the kill").isNull();
                assertThat(second.get()).as("the second host was killed and restarted").isNotSameAs(killed);
                try {
                    assertThat(control.host(first.endpoint()).describe(FraudRules.OPERATOR).getShardsList())
                            .as("the first host serves shards 0 and 2, restored by key group and fed").hasSize(2)
                            .allSatisfy(shard -> assertThat(shard.getEventsProcessed()).isPositive())
                            .allSatisfy(shard -> assertThat(shard.getLastSwap().getRescaledFrom()).isEqualTo(1))
                            .extracting(shard -> shard.getShard()).containsExactly(0, 2);
                    assertThat(control.host(second.get().endpoint()).describe(FraudRules.OPERATOR).getShardsList())
                            .as("the restarted host serves shards 1 and 3 of the new placement, fed after its restart").hasSize(2)
                            .allSatisfy(shard -> assertThat(shard.getEventsProcessed()).isPositive())
                            .extracting(shard -> shard.getShard()).containsExactly(1, 3);
                } finally {
                    second.get().close();
                }
                assertExactlyTheInjectedFraud(sink, telemetry);
            }
        }
    }

    /**
     * A Flink user's rescale with state: the job stops with a savepoint, the operator is rescaled,
     * the job starts again from the savepoint. From 2 shards on one host to 4 shards over two hosts,
     * then to 1 shard on the second host alone; each new shard reads the savepoint's checkpoints of
     * the shards whose key groups it took, from whichever host holds them. In EPL the state is the
     * input log, merged by event time (Java's keyed state, taken key by key, is the live test's).
     */
    @Test
    void rescalesTwoToFourToOneAcrossHostsCarryTheStateOfASavepoint(@TempDir Path otherState, @TempDir Path savepoints)
            throws Exception {
        List<OperatorSpec> specs = rescaledSpecs("esper");
        List<String> operators = specs.stream().map(OperatorSpec::getName).toList();
        try (var first = TestHosts.storing(state);
             var second = TestHosts.storing(otherState);
             OperatorPool control = TestHosts.pool(first.endpoint() + "," + second.endpoint())) {
            specs.forEach(spec -> control.host(first.endpoint()).deploy(spec));
            VigilTelemetry telemetry = VigilTelemetry.of(FraudRules.OPERATOR);
            telemetry.reset();
            Path sink = alerts;
            String savepoint = runUntil(first.endpoint(), operators, null, telemetry, EVENTS / 3, savepoints, sink);

            String pool = first.endpoint() + "," + second.endpoint();
            for (String operator : operators) {
                var four = control.rescale(operator, 4, List.of(first.endpoint(), second.endpoint()));
                assertThat(four.getPlacement().getEpoch()).isEqualTo(2);
                assertThat(four.getPlacement().getShardsList()).extracting(ShardPlacement::getHost)
                        .containsExactly(first.endpoint(), second.endpoint(), first.endpoint(), second.endpoint());
            }
            savepoint = runUntil(pool, operators, savepoint, telemetry, 2 * EVENTS / 3, savepoints, sink);
            for (String operator : operators) {
                assertThat(control.describe(operator).getShardsList()).as("every new shard of %s restored by key group", operator)
                        .allSatisfy(shard -> assertThat(shard.getLastSwap().getRescaledFrom()).isEqualTo(1));
                var one = control.rescale(operator, 1, List.of(second.endpoint()));
                assertThat(one.getPlacement().getShardsList()).extracting(ShardPlacement::getHost).containsExactly(second.endpoint());
            }
            runUntil(first.endpoint(), operators, savepoint, telemetry, Long.MAX_VALUE, savepoints, sink);
            for (String operator : operators) {
                var merged = control.host(second.endpoint()).describe(operator).getShards(0);
                assertThat(merged.getLastSwap().getRescaledFrom()).as("the one shard of %s took the state of all four", operator)
                        .isEqualTo(4);
                assertThat(merged.getLastSwap().getCause()).isEqualTo(io.vigil.api.proto.SwapReport.Cause.RESCALE);
            }
            assertThat(control.host(second.endpoint()).describe(FraudRules.OPERATOR).getShards(0).getLastSwap()
                    .getBatchesReplayedAtSwitch()).as("the four EPL logs, merged and replayed").isPositive();
            assertExactlyTheInjectedFraud(sink, telemetry);
        }
    }

    /**
     * A live rescale: one run of the job, which has no restarts, while each operator (two of the
     * rules in EPL, whose state is the input log, two in Java, whose state is keyed) has its shard 1 moved
     * to a second host (shard 0 goes on as it is), then goes to 4 shards over the two
     * hosts, is updated (a hot swap), then goes to 1 on the second host. The job's subtasks cut
     * over at a checkpoint they agree on, and the new shards take their key groups' state from the
     * old shards' checkpoint there, read from whichever host holds it.
     */
    @Test
    void rescalesLiveTwoToFourToOneWhileTheJobRuns(@TempDir Path otherState) throws Exception {
        List<OperatorSpec> specs = rescaledSpecs("java");
        List<String> operators = specs.stream().map(OperatorSpec::getName).toList();
        try (var first = TestHosts.storing(state);
             var second = TestHosts.storing(otherState);
             OperatorPool control = TestHosts.pool(first.endpoint() + "," + second.endpoint())) {
            specs.forEach(spec -> control.host(first.endpoint()).deploy(spec));
            List<VigilTelemetry> telemetries = operators.stream().map(VigilTelemetry::of).toList();
            telemetries.forEach(VigilTelemetry::reset);
            VigilTelemetry telemetry = VigilTelemetry.of(FraudRules.OPERATOR);
            Configuration configuration = new Configuration();
            configuration.setString("restart-strategy.type", "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
            env.setParallelism(2);
            env.enableCheckpointing(200);
            FraudDetectionJob.Settings settings = new FraudDetectionJob.Settings(first.endpoint(), FraudRules.OPERATOR, EVENTS, SEED,
                    FRAUD_RATE, 256, Duration.ofMillis(2), 5_000);
            FraudDetectionJob.alerts(env, settings, operators)
                    .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                    .sinkTo(fileSink(alerts)).setParallelism(1);
            var job = env.executeAsync("rescaled live");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (telemetry.eventsIn() < EVENTS / 4) {
                assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("the job runs").isFalse();
                assertThat(System.nanoTime()).as("the job reaches %d events", EVENTS / 4).isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(10);
            }
            for (String operator : operators) {
                var moved = control.rescale(operator, 2, List.of(first.endpoint(), second.endpoint()));
                assertThat(moved.getPlacement().getShardsList()).extracting(ShardPlacement::getHost)
                        .as("shard 0 stays, shard 1 moves").containsExactly(first.endpoint(), second.endpoint());
            }
            awaitCutOver(telemetries, 2, job);
            for (String operator : operators) {
                var moved = control.describe(operator);
                assertThat(moved.getShards(0).hasLastSwap()).as("shard 0 of %s went on as it was", operator).isFalse();
                assertThat(moved.getShards(1).getLastSwap().getRescaledFrom()).as("shard 1 of %s restored on the second host", operator)
                        .isEqualTo(1);
                assertThat(control.rescale(operator, 4, List.of(first.endpoint(), second.endpoint())).getPlacement().getEpoch())
                        .isEqualTo(3);
            }
            awaitCutOver(telemetries, 4, job);
            long cutAt = telemetry.eventsIn();
            for (String operator : operators) {
                var four = control.describe(operator);
                assertThat(four.getShardsList()).as("every new shard of %s restored by key group", operator)
                        .hasSize(4).allSatisfy(shard -> assertThat(shard.getLastSwap().getRescaledFrom()).isEqualTo(1));
            }
            // A swap after a live rescale: the EPL (a comment added) switches on all 4 shards with its state, and the next rescale carries it on.
            var running = control.describe(FraudRules.OPERATOR).getSpec();
            assertThat(control.update(running.toBuilder().setSource(running.getSource() + "\n// swapped between two rescales\n").build())
                    .getShardsList()).hasSize(4).allSatisfy(shard -> assertThat(shard.getVersion()).isEqualTo(2));
            for (String operator : operators) {
                assertThat(control.rescale(operator, 1, List.of(second.endpoint())).getPlacement().getShardsList())
                        .extracting(ShardPlacement::getHost).containsExactly(second.endpoint());
            }
            awaitCutOver(telemetries, 1, job);
            assertThat(telemetry.eventsIn()).as("the stream ran on between the cuts").isGreaterThan(cutAt);
            job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            for (String operator : operators) {
                var merged = control.host(second.endpoint()).describe(operator).getShards(0);
                assertThat(merged.getLastSwap().getCause()).isEqualTo(io.vigil.api.proto.SwapReport.Cause.RESCALE);
                assertThat(merged.getLastSwap().getRescaledFrom()).as("the one shard of %s took the state of all four", operator)
                        .isEqualTo(4);
                assertThat(VigilTelemetry.of(operator).cutOverPauseMicros().getTotalCount())
                        .as("each of the 2 subtasks cut over three times").isEqualTo(6);
            }
            assertExactlyTheInjectedFraud(alerts, telemetry);
        }
    }

    /** The four rules on 2 shards, all in EPL, or two of them in Java (each its own operator) beside the other two in EPL. */
    private static List<OperatorSpec> rescaledSpecs(String language) {
        return language.equals("esper") ? List.of(FraudRules.spec(2)) : List.of(
                FraudRules.spec(FraudRules.OPERATOR, FraudRules.eplWithout("SMALL_THEN_LARGE", "VELOCITY"), 2),
                RuleLanguage.JAVA.spec("java-small-then-large", "small-then-large", 2, null),
                RuleLanguage.JAVA.spec("java-velocity", "velocity", 2, null));
    }

    private static void awaitCutOver(List<VigilTelemetry> telemetries, int shards,
                                     org.apache.flink.core.execution.JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (telemetries.stream().anyMatch(t -> t.shardsAfterLastCutOver() != shards)) {
            assertThat(job.getJobStatus().get()).as("the job runs until every operator cut over to %d shards", shards)
                    .isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
            assertThat(System.nanoTime()).as("every operator cuts over to %d shards", shards).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /**
     * Runs the job (from {@code savepoint}, unless null) until the connector has sent {@code events}
     * in all, then stops it with a savepoint; to the end of its input when {@code events} is never reached.
     * @return the savepoint's path, or null when the job ran to its end
     */
    private static String runUntil(String endpoint, List<String> operators, String savepoint, VigilTelemetry telemetry, long events,
                                   Path savepoints, Path sink) throws Exception {
        Configuration configuration = new Configuration();
        configuration.setString("restart-strategy.type", "none");
        if (savepoint != null) {
            configuration.setString("execution.savepoint.path", savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        FraudDetectionJob.alerts(env, settings(endpoint), operators)
                .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                .sinkTo(fileSink(sink)).setParallelism(1);
        var job = env.executeAsync("rescaled through savepoints");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (telemetry.eventsIn() < events) {
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                job.getJobExecutionResult().get();
                return null;
            }
            assertThat(System.nanoTime()).as("the job reaches %d events", events).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return job.stopWithSavepoint(false, savepoints.toUri().toString(),
                org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
    }

    @Test
    void aHostThatDiesBetweenSnapshotAndAcknowledgementRestoresTheCheckpointBefore() throws Exception {
        // The host halts once its shards have made their third checkpoint durable, before acknowledging it.
        runWithAHostThatHalts(environment(), "-Dvigil.fault.halt-before-ack=5");
    }

    /**
     * Checkpoints every 100 ms, two allowed at once, on a host whose store takes 400 ms to make each
     * durable: a barrier follows the one before while that is still pending, and the host halts
     * with two checkpoints in flight.
     */
    @Test
    void aHostKilledWhileTwoCheckpointsOverlapLosesNothingAndDuplicatesNothing() throws Exception {
        StreamExecutionEnvironment env = environment();
        env.enableCheckpointing(100);
        env.getCheckpointConfig().setMaxConcurrentCheckpoints(2);
        VigilTelemetry telemetry = runWithAHostThatHalts(env, "-Dvigil.fault.durability-delay-ms=400", "-Dvigil.fault.halt-before-ack=7");
        assertThat(telemetry.maxCheckpointsPending()).as("checkpoints pending at once").isGreaterThanOrEqualTo(2);
    }

    private VigilTelemetry runWithAHostThatHalts(StreamExecutionEnvironment env, String... faults) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        AtomicReference<HostProcess> host = new AtomicReference<>(HostProcess.start(state, port, faults));
        ManagedChannel channel = NettyChannelBuilder.forTarget(host.get().endpoint()).usePlaintext().build();
        new ControlPlaneClient(channel, Duration.ofSeconds(60)).deploy(FraudRules.spec(2));
        channel.shutdownNow();
        VigilTelemetry telemetry = VigilTelemetry.of(FraudRules.OPERATOR);
        telemetry.reset();
        HostProcess crashing = host.get();
        Thread restarter = new Thread(() -> {
            try {
                if (crashing.awaitExit(120)) {
                    host.set(HostProcess.start(state, port));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "host-restarter");
        restarter.start();
        Path sink = alerts;
        FraudDetectionJob.alerts(env, settings(host.get().endpoint()))
                .map(alert -> alert.getRule() + "/" + alert.getTxnId())
                .sinkTo(fileSink(sink)).setParallelism(1);
        env.execute("exactly once with a host dying inside a checkpoint");
        restarter.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(host.get()).as("the host crashed and was restarted").isNotSameAs(crashing);
        host.get().close();
        assertExactlyTheInjectedFraud(sink, telemetry);
        return telemetry;
    }

    /**
     * Flink's unaligned checkpoints: the barrier overtakes the records buffered before the
     * connector, which Flink keeps in the checkpoint; the connector's own state and the host's
     * shards are taken as usual. A task fails mid-stream.
     */
    @Test
    void unalignedCheckpointsWithAFailedTaskStayExactlyOnce() throws Exception {
        StreamExecutionEnvironment env = environment();
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        runWithATaskThatFails(env, new FailOnce(EVENTS / 2));
        assertThat(FailOnce.armed.get()).as("the failure was injected").isFalse();
    }

    /**
     * The task fails while Flink takes checkpoint 3, after the connector sent its barrier: the host
     * makes that checkpoint durable and acknowledges it (before or after the failure, as it
     * races), Flink never completes it, and the job restores the checkpoint before.
     */
    @Test
    void aRestoreFromTheCheckpointBeforeOneWhoseAcknowledgementRacedAFailure() throws Exception {
        runWithATaskThatFails(environment(), new FailAtCheckpoint(3));
        assertThat(FailAtCheckpoint.armed.get()).as("the failure was injected").isFalse();
    }

    private void runWithATaskThatFails(StreamExecutionEnvironment env,
                                       org.apache.flink.api.common.functions.MapFunction<io.vigil.examples.fraud.Alert, String> failing)
            throws Exception {
        try (var host = io.vigil.runtime.FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .stateDirectory(state).build().start()) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
            new ControlPlaneClient(channel, Duration.ofSeconds(60)).deploy(FraudRules.spec(2));
            channel.shutdownNow();
            VigilTelemetry telemetry = VigilTelemetry.of(FraudRules.OPERATOR);
            telemetry.reset();
            FailOnce.armed.set(true);
            FailAtCheckpoint.armed.set(true);
            Path sink = alerts;
            FraudDetectionJob.alerts(env, settings(host.endpoint()))
                    .map(failing)
                    .sinkTo(fileSink(sink)).setParallelism(1);
            env.execute("exactly once with a failing task");
            assertExactlyTheInjectedFraud(sink, telemetry);
        }
    }

    @Test
    void aFailedFlinkTaskRestoresTheHostsShardsFromItsCheckpoint() throws Exception {
        runWithATaskThatFails(environment(), new FailOnce(EVENTS / 2));
        assertThat(FailOnce.armed.get()).as("the failure was injected").isFalse();
    }

    /** Fails its task once, at the first alert after the connector has sent {@code afterEvents} events. */
    static final class FailOnce implements org.apache.flink.api.common.functions.MapFunction<io.vigil.examples.fraud.Alert, String> {
        static final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        private final long afterEvents;

        FailOnce(long afterEvents) {
            this.afterEvents = afterEvents;
        }

        @Override
        public String map(io.vigil.examples.fraud.Alert alert) {
            if (VigilTelemetry.of(FraudRules.OPERATOR).eventsIn() >= afterEvents && armed.compareAndSet(true, false)) {
                throw new IllegalStateException("injected failure downstream of the connector");
            }
            return alert.getRule() + "/" + alert.getTxnId();
        }
    }

    /** Fails its task once, in the synchronous part of checkpoint {@code checkpointId}: after the connector sent its barrier. */
    static final class FailAtCheckpoint implements org.apache.flink.api.common.functions.MapFunction<io.vigil.examples.fraud.Alert, String>,
            org.apache.flink.streaming.api.checkpoint.CheckpointedFunction {
        static final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        private final long checkpointId;

        FailAtCheckpoint(long checkpointId) {
            this.checkpointId = checkpointId;
        }

        @Override
        public String map(io.vigil.examples.fraud.Alert alert) {
            return alert.getRule() + "/" + alert.getTxnId();
        }

        @Override
        public void snapshotState(org.apache.flink.runtime.state.FunctionSnapshotContext context) {
            if (context.getCheckpointId() == checkpointId && armed.compareAndSet(true, false)) {
                throw new IllegalStateException("injected failure in checkpoint " + checkpointId + ", downstream of the connector");
            }
        }

        @Override
        public void initializeState(org.apache.flink.runtime.state.FunctionInitializationContext context) {
        }
    }

    static StreamExecutionEnvironment environment() {
        Configuration configuration = new Configuration();
        configuration.setString("restart-strategy.type", "fixed-delay");
        configuration.setString("restart-strategy.fixed-delay.attempts", "30");
        configuration.setString("restart-strategy.fixed-delay.delay", "500 ms");
        // A checkpoint that cannot finish fails the job over after a minute, not Flink's default ten:
        // once, in a full-suite run, a subtask waited for a barrier acknowledgement that never came
        // (an open issue); the job then restores and must still be exactly once.
        configuration.setString("execution.checkpointing.timeout", "60 s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        return env;
    }

    static FraudDetectionJob.Settings settings(String endpoint) {
        return new FraudDetectionJob.Settings(endpoint, FraudRules.OPERATOR, EVENTS, SEED, FRAUD_RATE, 256, Duration.ofMillis(2), 15_000);
    }

    /** Flink's exactly-once file sink: part files become visible only when their checkpoint completes. */
    static FileSink<String> fileSink(Path directory) {
        return FileSink.forRowFormat(new org.apache.flink.core.fs.Path(directory.toUri()), new SimpleStringEncoder<String>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .build();
    }

    /** The lines of every committed part file; in-progress and pending files are hidden (dot-prefixed). */
    static List<String> committed(Path directory) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        return lines;
    }

    static void assertExactlyTheInjectedFraud(Path sink, VigilTelemetry telemetry) throws IOException {
        List<String> expected = TransactionGenerator.groundTruth(SEED, EVENTS, FRAUD_RATE).stream()
                .map(e -> e.rule() + "/" + e.txnId()).toList();
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(telemetry.eventsIn()).as("events sent, counting any replayed after the failure").isGreaterThanOrEqualTo(EVENTS);
        assertThat(failureFree).as("the failure-free run finds the injected fraud").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(committed(sink)).as("committed alerts, against the failure-free run").containsExactlyInAnyOrderElementsOf(failureFree);
    }
}
