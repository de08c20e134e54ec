package io.vigil.flink;

import io.vigil.flink.internal.PojoKeySelector;
import io.vigil.flink.internal.VigilOperatorFactory;
import io.vigil.api.security.TransportSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * A Vigil operator called from a Flink job. Events are keyed by the operator's key field, batched
 * to the function host through a Disruptor ring, and the operator's results come back as a stream
 * in event-time order, each at the time the operator emitted it, followed by the watermarks that
 * came in. The host holds events until the watermark passes them, so results follow their events
 * by up to one watermark interval (docs/event-time.md).
 *
 * <pre>{@code
 * DataStream<Alert> alerts = VigilFunction.<Transaction, Alert>builder()
 *         .setEndpoint("localhost:7070")
 *         .setOperator("fraud-rules")
 *         .setInputType(Transaction.class)
 *         .setOutputType(Alert.class)
 *         .setKeyField("cardId")
 *         .build()
 *         .applyTo(transactions);
 * }</pre>
 */
public final class VigilFunction<IN, OUT> {
    private final VigilFunctionConfig config;

    private VigilFunction(VigilFunctionConfig config) {
        this.config = config;
    }

    public static <IN, OUT> Builder<IN, OUT> builder() {
        return new Builder<>();
    }

    public VigilFunctionConfig config() {
        return config;
    }

    /**
     * The side output of {@link #applyTo}'s stream that carries the events that came behind the
     * watermark, when the operator's spec says {@code late-events: side-output}: an event is late
     * when its timestamp is at or before the last watermark this subtask received, as with Flink's
     * {@code sideOutputLateData}. With the default, {@code drop}, the host drops and counts them.
     */
    public OutputTag<IN> lateEventsTag() {
        return config.lateEventsTag();
    }

    @SuppressWarnings("unchecked")
    public SingleOutputStreamOperator<OUT> applyTo(DataStream<IN> input) {
        PojoKeySelector<IN> key = new PojoKeySelector<>((Class<IN>) config.inputType(), config.keyField());
        return input.keyBy(key, key.keyType())
                .transform("vigil:" + config.operator(), TypeInformation.of((Class<OUT>) config.outputType()),
                        new VigilOperatorFactory<IN, OUT>(config))
                .uid("vigil-" + config.operator());
    }

    public static final class Builder<IN, OUT> {
        private String endpoint;
        private String operator;
        private Class<IN> inputType;
        private Class<OUT> outputType;
        private String keyField;
        private int maxBatchSize = 1024;
        private Duration linger = Duration.ofMillis(2);
        private int ringSize = 4096;
        private int roundsInFlight = 4;
        private Duration timeout = Duration.ofSeconds(10);
        private TransportSecurity security = TransportSecurity.plaintext();
        private Path bearerTokenFile;

        /**
         * The function host serving the operator ({@code host:port}), or several hosts of the pool
         * serving it, comma-separated: the connector asks them in turn for the operator's placement
         * and streams each shard to the host that serves it.
         */
        public Builder<IN, OUT> setEndpoint(String hostAndPort) {
            this.endpoint = hostAndPort;
            return this;
        }

        public Builder<IN, OUT> setOperator(String name) {
            this.operator = name;
            return this;
        }

        public Builder<IN, OUT> setInputType(Class<IN> type) {
            this.inputType = type;
            return this;
        }

        public Builder<IN, OUT> setOutputType(Class<OUT> type) {
            this.outputType = type;
            return this;
        }

        public Builder<IN, OUT> setKeyField(String field) {
            this.keyField = field;
            return this;
        }

        public Builder<IN, OUT> setMaxBatchSize(int rows) {
            this.maxBatchSize = rows;
            return this;
        }

        public Builder<IN, OUT> setLinger(Duration linger) {
            this.linger = linger;
            return this;
        }

        public Builder<IN, OUT> setRingSize(int slots) {
            this.ringSize = slots;
            return this;
        }

        public Builder<IN, OUT> setRoundsInFlight(int rounds) {
            this.roundsInFlight = rounds;
            return this;
        }

        public Builder<IN, OUT> setTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Reaches the hosts over TLS, presenting the job's certificate (hosts that serve TLS require
         * one): PEM files of the authority that signed the hosts' certificates, the job's certificate
         * chain and its private key (PKCS#8). The files must exist where the job's tasks run.
         */
        public Builder<IN, OUT> setTls(String trustedCaFile, String certificateFile, String privateKeyFile) {
            this.security = TransportSecurity.tls(Path.of(trustedCaFile), Path.of(certificateFile), Path.of(privateKeyFile));
            return this;
        }

        /** Reaches the hosts as {@code value} says: plaintext, or TLS with a certificate, and a bearer token or not. */
        public Builder<IN, OUT> setTransportSecurity(TransportSecurity value) {
            this.security = Objects.requireNonNull(value, "transport security");
            return this;
        }

        /**
         * Sends the bearer token in {@code tokenFile} (a signed JWT, read before each call) with every
         * call, as the job's identity on hosts that take tokens. With {@link #setTls} the token goes
         * over TLS; without, use it only on a host reached over loopback.
         */
        public Builder<IN, OUT> setBearerTokenFile(String tokenFile) {
            this.bearerTokenFile = Path.of(tokenFile);
            return this;
        }

        public VigilFunction<IN, OUT> build() {
            Objects.requireNonNull(endpoint, "endpoint (host:port of the function host, or of several hosts of its pool)");
            Objects.requireNonNull(operator, "operator name");
            Objects.requireNonNull(inputType, "input type");
            Objects.requireNonNull(outputType, "output type");
            Objects.requireNonNull(keyField, "key field");
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1");
            }
            if (linger.isNegative()) {
                throw new IllegalArgumentException("linger must not be negative");
            }
            if (Integer.bitCount(ringSize) != 1 || Integer.bitCount(roundsInFlight) != 1) {
                throw new IllegalArgumentException("ring size and rounds in flight must be powers of two");
            }
            return new VigilFunction<>(new VigilFunctionConfig(endpoint, operator, inputType, outputType, keyField,
                    maxBatchSize, linger, ringSize, roundsInFlight, timeout,
                    bearerTokenFile == null ? security : security.withBearerToken(bearerTokenFile)));
        }
    }
}
