package io.vigil.examples.fraud;

import io.vigil.flink.VigilFunction;
import io.vigil.api.security.TransportSecurity;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The Flink job: seeded transactions → the fraud-rules operator on a Vigil function host → alerts. */
public final class FraudDetectionJob {

    /**
     * What the job reads and where it sends it; {@code eventsPerSecond} 0 means as fast as possible;
     * {@code sourceHolds} names {@link SourceHolds} the source waits at, or is null.
     */
    public record Settings(String endpoint, String operator, long events, long seed, double fraudRate,
                           int maxBatchSize, Duration linger, double eventsPerSecond, String sourceHolds, TransportSecurity security) {
        public Settings(String endpoint, String operator, long events, long seed, double fraudRate,
                        int maxBatchSize, Duration linger, double eventsPerSecond, String sourceHolds) {
            this(endpoint, operator, events, seed, fraudRate, maxBatchSize, linger, eventsPerSecond, sourceHolds,
                    TransportSecurity.plaintext());
        }

        public Settings(String endpoint, String operator, long events, long seed, double fraudRate,
                        int maxBatchSize, Duration linger, double eventsPerSecond) {
            this(endpoint, operator, events, seed, fraudRate, maxBatchSize, linger, eventsPerSecond, null);
        }

        /** The same, reaching the host as {@code value} says (TLS, a bearer token). */
        public Settings withSecurity(TransportSecurity value) {
            return new Settings(endpoint, operator, events, seed, fraudRate, maxBatchSize, linger, eventsPerSecond, sourceHolds, value);
        }

        public static Settings defaults(String endpoint, long events) {
            return new Settings(endpoint, FraudRules.OPERATOR, events, 42, 0.003, 1024, Duration.ofMillis(2), 0);
        }
    }

    private FraudDetectionJob() {
    }

    public static DataStream<Alert> alerts(StreamExecutionEnvironment env, Settings settings) {
        return alerts(env, settings, java.util.List.of(settings.operator()));
    }

    /** The same transactions through several operators (say, rules written in different languages), their alerts merged. */
    public static DataStream<Alert> alerts(StreamExecutionEnvironment env, Settings settings, java.util.List<String> operators) {
        return alerts(transactions(env, settings), settings, operators);
    }

    /** The seeded transactions, event time from each one's timestamp. */
    public static DataStream<Transaction> transactions(StreamExecutionEnvironment env, Settings settings) {
        DataGeneratorSource<Transaction> source = new DataGeneratorSource<>(
                new TransactionSource(settings.seed(), settings.events(), settings.fraudRate(), settings.sourceHolds()),
                settings.events(),
                settings.eventsPerSecond() > 0 ? RateLimiterStrategy.perSecond(settings.eventsPerSecond()) : RateLimiterStrategy.noOp(),
                TypeInformation.of(Transaction.class));
        return env
                .fromSource(source, WatermarkStrategy.<Transaction>forMonotonousTimestamps()
                        .withTimestampAssigner((transaction, previous) -> transaction.getTs()), "transactions")
                .setParallelism(1);
    }

    /** {@code transactions} through each of {@code operators}, their alerts merged. */
    public static DataStream<Alert> alerts(DataStream<Transaction> transactions, Settings settings, java.util.List<String> operators) {
        DataStream<Alert> alerts = null;
        for (String operator : operators) {
            DataStream<Alert> fromOperator = VigilFunction.<Transaction, Alert>builder()
                    .setEndpoint(settings.endpoint())
                    .setOperator(operator)
                    .setInputType(Transaction.class)
                    .setOutputType(Alert.class)
                    .setKeyField("cardId")
                    .setMaxBatchSize(settings.maxBatchSize())
                    .setLinger(settings.linger())
                    .setTransportSecurity(settings.security())
                    .build()
                    .applyTo(transactions);
            alerts = alerts == null ? fromOperator : alerts.union(fromOperator);
        }
        return alerts;
    }
}
