package io.vigil.benchmarks.harness;

import io.vigil.api.security.TransportSecurity;
import io.vigil.flink.VigilFunction;
import io.vigil.flink.VigilTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/** Runs variants (a)–(d): the same payments through a Flink job, alerts timed at the same sink. */
final class FlinkVariants {
    private final int parallelism;
    private final String endpoint;
    private final CheckpointedHost checkpointed;
    private final long watermarkMillis;
    private final String tlsEndpoint;
    private final TransportSecurity tls;
    /** What the checkpoints of the last checkpointed run cost. */
    CheckpointFigures lastCheckpoints;

    /**
     * @param endpoint    the host without state; {@code checkpointed} serves the checkpointed variant
     * @param tlsEndpoint a host like {@code endpoint}'s serving mutual TLS, reached as {@code tls} says
     */
    FlinkVariants(int parallelism, String endpoint, CheckpointedHost checkpointed, long watermarkMillis, String tlsEndpoint,
            TransportSecurity tls) {
        this.parallelism = parallelism;
        this.endpoint = endpoint;
        this.checkpointed = checkpointed;
        this.watermarkMillis = watermarkMillis;
        this.tlsEndpoint = tlsEndpoint;
        this.tls = tls;
    }

    Measurement run(Variant variant, long events, double eventsPerSecond) throws Exception {
        if (variant == Variant.VIGIL_TLS) {
            return run(variant, tlsEndpoint, null, events, eventsPerSecond);
        }
        if (variant != Variant.VIGIL_CHECKPOINTED) {
            return run(variant, endpoint, null, events, eventsPerSecond);
        }
        return run(variant, checkpointed.endpoint(), checkpointed, events, eventsPerSecond);
    }

    private Measurement run(Variant variant, String endpoint, CheckpointedHost checkpointed, long events, double eventsPerSecond)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
        // Flush network buffers within a millisecond (Flink's default waits up to 100 ms), the same for every variant.
        env.setBufferTimeout(1);
        env.getConfig().setAutoWatermarkInterval(watermarkMillis);
        if (variant == Variant.VIGIL_CHECKPOINTED) {
            env.enableCheckpointing(1000);
        }
        DataStream<Payment> payments = Workload.payments(env, events, eventsPerSecond);
        DataStream<PaymentAlert> alerts = switch (variant) {
            case EMBEDDED_ESPER -> payments.keyBy(Payment::getCardId).process(new EmbeddedEsperFunction());
            case VIGIL, VIGIL_CHECKPOINTED -> vigil(endpoint, 1024, Duration.ofMillis(2), 4, TransportSecurity.plaintext()).applyTo(payments);
            case VIGIL_TLS -> vigil(endpoint, 1024, Duration.ofMillis(2), 4, tls).applyTo(payments);
            case CALL_PER_EVENT -> vigil(endpoint, 1, Duration.ZERO, 1, TransportSecurity.plaintext()).applyTo(payments);
            case FLINK_CEP -> flinkCep(payments);
            case HOST_ONLY -> throw new IllegalArgumentException("the host-only variant runs without Flink");
        };
        alerts.sinkTo(new AlertTimer()).name("timed alerts");
        CheckpointedHost.PauseReading before = checkpointed == null ? null : checkpointed.reading();
        AlertTimer.reset();
        VigilTelemetry.of(Workload.OPERATOR).reset();
        env.execute("harness " + variant);
        long end = System.nanoTime();
        Measurement measured = Measurement.of(events, end - Workload.FIRST_EMIT_NANOS.get(), AlertTimer.alerts(), AlertTimer.latencyMicros());
        if (checkpointed != null) {
            lastCheckpoints = CheckpointFigures.of(VigilTelemetry.of(Workload.OPERATOR), checkpointed.reading().since(before));
        }
        return measured;
    }

    static VigilFunction<Payment, PaymentAlert> vigil(String endpoint, int batchSize, Duration linger, int roundsInFlight,
            TransportSecurity security) {
        return VigilFunction.<Payment, PaymentAlert>builder()
                .setEndpoint(endpoint)
                .setOperator(Workload.OPERATOR)
                .setInputType(Payment.class)
                .setOutputType(PaymentAlert.class)
                .setKeyField("cardId")
                .setMaxBatchSize(batchSize)
                .setLinger(linger)
                .setRoundsInFlight(roundsInFlight)
                .setTransportSecurity(security)
                .build();
    }

    private static DataStream<PaymentAlert> flinkCep(DataStream<Payment> payments) {
        Pattern<Payment, ?> smallThenLarge = Pattern.<Payment>begin("small")
                .where(SimpleCondition.of(p -> p.getAmount() < 2.00))
                .followedBy("large")
                .where(SimpleCondition.of(p -> p.getAmount() >= 200.00))
                .within(Duration.ofMinutes(1));
        return CEP.pattern(payments.keyBy(Payment::getCardId), smallThenLarge)
                .inEventTime()
                .process(new PatternProcessFunction<Payment, PaymentAlert>() {
                    @Override
                    public void open(OpenContext context) {
                    }

                    @Override
                    public void processMatch(Map<String, List<Payment>> match, Context context, Collector<PaymentAlert> out) {
                        Payment large = match.get("large").get(0);
                        out.collect(new PaymentAlert("SMALL_THEN_LARGE", large.getCardId(), large.getTxnId(), large.getTs(),
                                large.getBornNanos()));
                    }
                });
    }
}
