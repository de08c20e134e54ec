package io.vigil.benchmarks.harness;

import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.Open;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The one rule every variant runs, and the seeded payments it runs on. */
public final class Workload {
    public static final long SEED = 11;
    /** High enough that each run has thousands of alerts to time. */
    public static final double FRAUD_RATE = 0.02;
    public static final String OPERATOR = "small-then-large";

    public static final String EPL = """
            @name('SMALL_THEN_LARGE')
            select 'SMALL_THEN_LARGE' as rule, b.cardId as cardId, b.txnId as txnId, b.ts as ts, b.bornNanos as bornNanos
            from pattern [every a=Txn(amount < 2.00)
                          -> b=Txn(cardId = a.cardId, amount >= 200.00, ts - a.ts <= 60000) where timer:within(1 day)];
            """;

    public static final EventSchema PAYMENT = EventSchema.builder("Txn")
            .field("txnId", FieldKind.STRING)
            .field("cardId", FieldKind.STRING)
            .field("amount", FieldKind.DOUBLE)
            .field("ts", FieldKind.TIMESTAMP)
            .field("bornNanos", FieldKind.LONG)
            .build();

    public static final EventSchema ALERT = EventSchema.builder("Alert")
            .field("rule", FieldKind.STRING)
            .field("cardId", FieldKind.STRING)
            .field("txnId", FieldKind.STRING)
            .field("ts", FieldKind.TIMESTAMP)
            .field("bornNanos", FieldKind.LONG)
            .build();

    /** When the first payment of the current run left the source; the start of its throughput clock. */
    static final AtomicLong FIRST_EMIT_NANOS = new AtomicLong();

    private Workload() {
    }

    public static OperatorSpec spec(int shards) {
        return spec(shards, EPL);
    }

    /**
     * A CPU-bound operator: {@link CpuBoundFunction} in Java on the same payments, each costing
     * {@code iterations} rounds of arithmetic.
     */
    public static OperatorSpec cpuBoundSpec(int shards, int iterations) {
        return spec(shards, CpuBoundFunction.class.getName()).toBuilder()
                .setLanguage("java")
                .setArtifact(com.google.protobuf.ByteString.copyFrom(
                        io.vigil.examples.fraud.functions.FraudFunctions.jarOf(CpuBoundFunction.class)))
                .putOptions("iterations", String.valueOf(iterations))
                .build();
    }

    private static OperatorSpec spec(int shards, String epl) {
        return OperatorSpec.newBuilder()
                .setName(OPERATOR)
                .setLanguage("esper")
                .setSource(epl)
                .setInputSchema(SchemaProtos.toProto(PAYMENT))
                .setOutputSchema(SchemaProtos.toProto(ALERT))
                .setKeyField("cardId")
                .setShards(shards)
                .build();
    }

    /** The first frame of a data-plane stream of payments straight to one shard of {@code operator}, for drivers that do without Flink. */
    public static Open open(String operator, int shard, String client) {
        return Open.newBuilder().setOperator(operator).setShard(shard).setClient(client).setInputSchema(SchemaProtos.toProto(PAYMENT)).build();
    }

    /** Seeded payments with event-time watermarks, from one source subtask, optionally rate-limited. */
    public static DataStream<Payment> payments(StreamExecutionEnvironment env, long events, double eventsPerSecond) {
        FIRST_EMIT_NANOS.set(0);
        DataGeneratorSource<Payment> source = new DataGeneratorSource<>(new PaymentGenerator(events), events,
                eventsPerSecond > 0 ? RateLimiterStrategy.perSecond(eventsPerSecond) : RateLimiterStrategy.noOp(),
                TypeInformation.of(Payment.class));
        return env.fromSource(source, WatermarkStrategy.<Payment>forMonotonousTimestamps()
                        .withTimestampAssigner((payment, previous) -> payment.getTs())
                        .withIdleness(Duration.ofSeconds(5)), "payments")
                .setParallelism(1);
    }

    /** The fraud generator's stream, stamped with the moment each payment is emitted. */
    static final class PaymentGenerator implements GeneratorFunction<Long, Payment> {
        private final long events;
        private transient TransactionGenerator generator;

        PaymentGenerator(long events) {
            this.events = events;
        }

        @Override
        public void open(SourceReaderContext readerContext) {
            generator = new TransactionGenerator(SEED, events, FRAUD_RATE, expected -> { });
        }

        @Override
        public Payment map(Long index) {
            Transaction t = generator.next();
            long now = System.nanoTime();
            FIRST_EMIT_NANOS.compareAndSet(0, now);
            return new Payment(t, now);
        }
    }
}
