package io.vigil.flink;

import io.vigil.api.security.TransportSecurity;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * How the connector reaches an operator and batches events to it. Made by {@link VigilFunction#builder()}.
 *
 * @param endpoint       host:port of the function host, or of several hosts of its pool, comma-separated
 * @param operator       the deployed operator's name
 * @param keyField       the input field the operator is keyed by (also the Flink key)
 * @param maxBatchSize   rows in a round at most (all shards together)
 * @param linger         how long a round may wait for more events once the ring has drained
 * @param ringSize       slots in the task's ring (a power of two)
 * @param roundsInFlight rounds sent but not yet emitted, at most (a power of two)
 * @param timeout        for connecting and opening the streams
 * @param security       plaintext, or TLS with the job's client certificate
 */
public record VigilFunctionConfig(
        String endpoint,
        String operator,
        Class<?> inputType,
        Class<?> outputType,
        String keyField,
        int maxBatchSize,
        Duration linger,
        int ringSize,
        int roundsInFlight,
        Duration timeout,
        TransportSecurity security) implements Serializable {

    /** The side output that late events go to when the operator's spec says {@code late-events: side-output}. */
    @SuppressWarnings("unchecked")
    public <IN> OutputTag<IN> lateEventsTag() {
        return new OutputTag<>("vigil-late-events-" + operator, TypeInformation.of((Class<IN>) inputType));
    }
}
