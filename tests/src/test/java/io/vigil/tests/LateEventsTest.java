package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.ShardStatus;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.flink.VigilFunction;
import io.vigil.runtime.FunctionHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Events behind the watermark: by default the host drops and counts them (Describe); with
 * {@code late-events: side-output} they come out of the connector's side output instead, the
 * same events Flink's own lateness rule names, and the operator never sees them.
 */
class LateEventsTest {
    static final long BOUND = 5_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    static FunctionHost host;
    static ManagedChannel channel;
    static ControlPlaneClient control;
    static List<Transaction> arrivals;
    static Set<String> late;

    @BeforeAll
    static void startHost() throws Exception {
        host = TestHosts.start();
        channel = TestHosts.channel(host);
        control = TestHosts.control(channel);
        // Every 40th event arrives 20 seconds behind its time: far behind the 5-second bound.
        List<Transaction> inOrder = EsperFidelityTest.stream(21);
        arrivals = new ArrayList<>();
        List<Transaction> delayed = new ArrayList<>();
        for (int i = 0; i < inOrder.size(); i++) {
            Transaction t = inOrder.get(i);
            while (!delayed.isEmpty() && delayed.get(0).getTs() + 20_000 <= t.getTs()) {
                arrivals.add(delayed.remove(0));
            }
            (i % 40 == 39 ? delayed : arrivals).add(t);
        }
        arrivals.addAll(delayed);
        // Flink's rule, with a watermark after every event: late when at or behind the watermark already passed.
        late = new TreeSet<>();
        long highest = Long.MIN_VALUE;
        long watermark = Long.MIN_VALUE;
        for (Transaction t : arrivals) {
            if (t.getTs() <= watermark) {
                late.add(t.getTxnId());
            }
            highest = Math.max(highest, t.getTs());
            watermark = highest - BOUND - 1;
        }
    }

    @AfterAll
    static void stopHost() {
        channel.shutdownNow();
        host.close();
    }

    @Test
    void byDefaultTheHostDropsLateEventsAndCountsThem() throws Exception {
        control.deploy(spec("late-dropped", null));
        Run run = run("late-dropped");
        assertThat(late).as("the stream has late events").hasSizeGreaterThan(50);
        assertThat(run.processed).as("every event but the late ones").hasSize(arrivals.size() - late.size())
                .doesNotContainAnyElementsOf(late);
        assertThat(run.sideOutput).isEmpty();
        assertThat(control.describe("late-dropped").getShardsList().stream().mapToLong(ShardStatus::getLateEvents).sum())
                .as("Describe counts them").isEqualTo(late.size());
    }

    @Test
    void withSideOutputTheConnectorEmitsExactlyTheLateEventsThere() throws Exception {
        control.deploy(spec("late-side-output", "side-output"));
        Run run = run("late-side-output");
        assertThat(run.sideOutput).as("the late events, by Flink's rule").isEqualTo(late);
        assertThat(run.processed).as("the operator sees every other event").hasSize(arrivals.size() - late.size())
                .doesNotContainAnyElementsOf(late);
        assertThat(control.describe("late-side-output").getShardsList().stream().mapToLong(ShardStatus::getLateEvents).sum())
                .as("none reached the host").isZero();
    }

    @Test
    void anUnknownLatePolicyIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> control.deploy(spec("late-unknown", "keep")))
                .hasMessageContaining("late-events")
                .hasMessageContaining("drop or side-output, not keep");
    }

    record Run(Set<String> processed, Set<String> sideOutput) {
    }

    static Run run(String operator) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        WatermarkStrategy<Transaction> everyEvent = WatermarkStrategy.<Transaction>forGenerator(context -> new AfterEveryEvent())
                .withTimestampAssigner((t, previous) -> t.getTs());
        DataStream<Transaction> transactions = env.fromData(arrivals, TypeInformation.of(Transaction.class))
                .assignTimestampsAndWatermarks(everyEvent);
        VigilFunction<Transaction, EsperFidelityTest.Row> function = VigilFunction.<Transaction, EsperFidelityTest.Row>builder()
                .setEndpoint(host.endpoint())
                .setOperator(operator)
                .setInputType(Transaction.class)
                .setOutputType(EsperFidelityTest.Row.class)
                .setKeyField("cardId")
                .setMaxBatchSize(64)
                .setLinger(Duration.ofMillis(1))
                .build();
        SingleOutputStreamOperator<EsperFidelityTest.Row> rows = function.applyTo(transactions);
        CollectingSink<String> processed = new CollectingSink<>();
        CollectingSink<String> sideOutput = new CollectingSink<>();
        rows.map(EsperFidelityTest.Row::getK).returns(String.class).sinkTo(processed);
        rows.getSideOutput(function.lateEventsTag()).map(Transaction::getTxnId).returns(String.class).sinkTo(sideOutput);
        env.execute("late events: " + operator);
        Run run = new Run(new TreeSet<>(processed.results()), new TreeSet<>(sideOutput.results()));
        processed.release();
        sideOutput.release();
        return run;
    }

    /** Flink's bounded out-of-orderness, emitted after every event rather than periodically, so which events are late is fixed. */
    static final class AfterEveryEvent implements WatermarkGenerator<Transaction> {
        private long highest = Long.MIN_VALUE + BOUND + 1;

        @Override
        public void onEvent(Transaction event, long timestamp, WatermarkOutput output) {
            highest = Math.max(highest, timestamp);
            output.emitWatermark(new Watermark(highest - BOUND - 1));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
        }
    }

    static OperatorSpec spec(String name, String lateEvents) {
        OperatorSpec.Builder spec = OperatorSpec.newBuilder()
                .setName(name)
                .setLanguage("esper")
                .setSource("@name('out') select 'late' as label, txnId as k, amount as v from Txn;")
                .setInputSchema(SchemaProtos.toProto(FraudRules.TRANSACTION))
                .setOutputSchema(SchemaProtos.toProto(EsperFidelityTest.ROW))
                .setKeyField("cardId")
                .setShards(1);
        if (lateEvents != null) {
            spec.putOptions("late-events", lateEvents);
        }
        return spec.build();
    }
}
