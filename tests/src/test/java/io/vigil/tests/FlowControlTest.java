package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.flink.VigilFunction;
import io.vigil.flink.VigilTelemetry;
import io.vigil.runtime.FunctionHost;
import io.vigil.runtime.shard.Shard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator slower than its input: credits hold the host's queues to what it granted, the
 * connector's ring and rounds hold the rest, Flink's back-pressure slows the source, and every
 * event still comes back exactly once.
 */
class FlowControlTest {
    static final int EVENTS = 30_000;
    static final int SUBTASKS = 2;
    static final int SHARDS = 2;
    static final int CREDITS = 4;
    static final int RING = 512;
    static final int ROUNDS = 4;
    static final EventSchema READING = EventSchema.builder("Reading")
            .field("key", FieldKind.STRING)
            .field("value", FieldKind.LONG)
            .build();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    FunctionHost host;
    ManagedChannel channel;

    @TempDir
    Path state;

    @TempDir
    Path echoed;

    @BeforeEach
    void start() throws Exception {
        host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .credits(CREDITS).stateDirectory(state).build().start();
        channel = TestHosts.channel(host);
        TestHosts.control(channel).deploy(OperatorSpec.newBuilder()
                .setName("slow-echo")
                .setLanguage("test-slow")
                .setSource("3000")
                .setInputSchema(SchemaProtos.toProto(READING))
                .setOutputSchema(SchemaProtos.toProto(READING))
                .setKeyField("key")
                .setShards(SHARDS)
                .build());
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        host.close();
    }

    @Test
    void aSlowOperatorBackPressuresTheJobWithBoundedQueuesAndLosesNothing() throws Exception {
        VigilTelemetry telemetry = VigilTelemetry.of("slow-echo");
        telemetry.reset();
        AtomicLong maxQueued = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                for (Shard shard : host.operators().get("slow-echo").shards()) {
                    maxQueued.accumulateAndGet(shard.stats().pendingBatches(), Math::max);
                }
                Thread.onSpinWait();
            }
        });
        sampler.start();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(SUBTASKS);
        CollectingSink<Reading> echoes = new CollectingSink<>();
        slowEcho(RING)
                .applyTo(env.fromSequence(1, EVENTS).map(i -> new Reading("k" + (i % 1000), i)).returns(Reading.class))
                .sinkTo(echoes);
        long start = System.nanoTime();
        env.execute("slow operator");
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        sampler.join();

        Set<Long> values = new HashSet<>();
        echoes.results().forEach(r -> assertThat(values.add(r.getValue())).as("value %d once", r.getValue()).isTrue());
        assertThat(values).hasSize(EVENTS);
        // Each shard spends 3 ms per 64 rows, and one of them has at least half the keys: the source had to wait for it.
        assertThat(seconds).isGreaterThan(EVENTS / (SHARDS * SlowEchoAdapter.ROWS_PER_COST / 0.003) * 0.9);
        assertThat(maxQueued.get()).as("batches a shard held unanswered").isLessThanOrEqualTo((long) SUBTASKS * CREDITS);
        assertThat(maxQueued.get()).as("the host was the bottleneck").isGreaterThan(CREDITS);
        assertThat(telemetry.maxRoundsInFlight()).as("rounds in flight per subtask").isLessThanOrEqualTo(ROUNDS);
        assertThat(telemetry.maxRingBacklog()).as("events waiting in a subtask's ring").isLessThanOrEqualTo(RING);
        assertThat(telemetry.maxRingBacklog()).as("the ring did fill up: back-pressure reached the task").isGreaterThan(RING / 2);
        echoes.release();
    }

    /**
     * Checkpoints every 50 ms while the slow operator keeps the connector's (tiny) ring full: barriers
     * that find no free slot go to the sender beside the ring, none waits for it to drain; a task
     * fails mid-stream, and through Flink's exactly-once file sink every event still comes back
     * exactly once.
     */
    @Test
    void checkpointsUnderBackPressureNeitherWaitForTheRingNorLoseAnything() throws Exception {
        VigilTelemetry telemetry = VigilTelemetry.of("slow-echo");
        telemetry.reset();
        FailOnce.armed.set(true);
        Configuration configuration = new Configuration();
        configuration.setString("restart-strategy.type", "fixed-delay");
        configuration.setString("restart-strategy.fixed-delay.attempts", "10");
        configuration.setString("restart-strategy.fixed-delay.delay", "200 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(SUBTASKS);
        env.enableCheckpointing(50);
        // Unaligned, so each barrier reaches the connector while the records before it wait in Flink's buffers.
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        // A ring of one slot: the record that waited for it fills it, so the barrier after finds none.
        slowEcho(1)
                .applyTo(env.fromSequence(1, EVENTS).map(i -> new Reading("k" + (i % 1000), i)).returns(Reading.class))
                .map(new FailOnce(EVENTS / 2))
                .sinkTo(ExactlyOnceFaultTest.fileSink(echoed)).setParallelism(1);
        env.execute("slow operator, checkpoints and a failure");

        assertThat(FailOnce.armed.get()).as("the failure was injected").isFalse();
        assertThat(telemetry.barriersBehindFullRing()).as("barriers that found the ring full, of %d checkpoints completed",
                telemetry.checkpointsCompleted()).isPositive();
        List<String> committed = ExactlyOnceFaultTest.committed(echoed);
        assertThat(new HashSet<>(committed)).as("each event echoed").hasSize(EVENTS);
        assertThat(committed).as("and none twice").hasSize(EVENTS);
    }

    /**
     * An operator that stops answering fills the connector's ring (the sender has sent all the
     * host granted), so the task thread waits for a slot; cancelling the job must still end that wait at once, not when Flink's cancellation
     * watchdog gives up on the task and kills the TaskManager (three minutes by default).
     */
    @Test
    void aJobWaitingForAStalledOperatorCancelsPromptly() throws Exception {
        VigilTelemetry telemetry = VigilTelemetry.of("slow-echo");
        telemetry.reset();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(SUBTASKS);
        slowEcho(RING)
                .applyTo(env.fromSequence(1, Long.MAX_VALUE).map(i -> new Reading("k" + (i % 1000), i)).returns(Reading.class))
                .sinkTo(new DiscardingSink<>());
        SlowEchoAdapter.stall = true;
        try {
            JobClient job = env.executeAsync("stalled operator");
            // The sender has sent all the host granted once no event has gone out for a second.
            AtomicLong lastSent = new AtomicLong(-1);
            AtomicLong sentChanged = new AtomicLong(System.nanoTime());
            TestHosts.await(() -> "a task to wait for room in a ring the sender no longer empties", Duration.ofSeconds(60), () -> {
                long sent = telemetry.eventsIn();
                if (sent != lastSent.getAndSet(sent)) {
                    sentChanged.set(System.nanoTime());
                }
                return telemetry.ringFullWaits() > 0 && System.nanoTime() - sentChanged.get() > TimeUnit.SECONDS.toNanos(1);
            });
            long start = System.nanoTime();
            job.cancel().get(30, TimeUnit.SECONDS);
            TestHosts.await(() -> "the job to be cancelled", Duration.ofSeconds(30),
                    () -> job.getJobStatus().join() == JobStatus.CANCELED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("cancelled while the operator still stalls")
                    .isLessThan(Duration.ofSeconds(30));
        } finally {
            SlowEchoAdapter.stall = false;
        }
    }

    private VigilFunction<Reading, Reading> slowEcho(int ringSize) {
        return VigilFunction.<Reading, Reading>builder()
                .setEndpoint(host.endpoint())
                .setOperator("slow-echo")
                .setInputType(Reading.class)
                .setOutputType(Reading.class)
                .setKeyField("key")
                .setMaxBatchSize(64)
                .setLinger(Duration.ofMillis(1))
                .setRingSize(ringSize)
                .setRoundsInFlight(ROUNDS)
                .build();
    }

    /** Fails its task once, at the first echo after the connector has sent {@code afterEvents} events. */
    static final class FailOnce implements MapFunction<Reading, String> {
        static final AtomicBoolean armed = new AtomicBoolean();
        private final long afterEvents;

        FailOnce(long afterEvents) {
            this.afterEvents = afterEvents;
        }

        @Override
        public String map(Reading echo) {
            if (VigilTelemetry.of("slow-echo").eventsIn() >= afterEvents && armed.compareAndSet(true, false)) {
                throw new IllegalStateException("injected failure downstream of the connector");
            }
            return Long.toString(echo.getValue());
        }
    }
}
