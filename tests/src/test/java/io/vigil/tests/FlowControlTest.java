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
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @BeforeEach
    void start() throws Exception {
        host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .credits(CREDITS).build().start();
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
        VigilFunction.<Reading, Reading>builder()
                .setEndpoint(host.endpoint())
                .setOperator("slow-echo")
                .setInputType(Reading.class)
                .setOutputType(Reading.class)
                .setKeyField("key")
                .setMaxBatchSize(64)
                .setLinger(Duration.ofMillis(1))
                .setRingSize(RING)
                .setRoundsInFlight(ROUNDS)
                .build()
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
}
