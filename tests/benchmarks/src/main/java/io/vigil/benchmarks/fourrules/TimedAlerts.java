package io.vigil.benchmarks.fourrules;

import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The same latency for every variant: from the moment the source emitted a transaction to the
 * moment an alert on it reached the sink. The job runs in this JVM, so the source side notes each
 * transaction's emit time by id and the sink looks it up.
 */
final class TimedAlerts implements Sink<Alert> {
    private static final ConcurrentMap<String, Long> EMITTED = new ConcurrentHashMap<>();
    private static final Queue<Alert> ALERTS = new ConcurrentLinkedQueue<>();
    private static final Recorder LATENCY_MICROS = new Recorder(3);
    private static volatile boolean timing;

    /** Starts a run: forgets the last one; {@code timed} notes emit times (the runs at 70 %, not the maximum ones). */
    static void reset(boolean timed) {
        EMITTED.clear();
        ALERTS.clear();
        LATENCY_MICROS.reset();
        timing = timed;
    }

    /** Source side, once per transaction. */
    static Transaction emitted(Transaction transaction) {
        if (timing) {
            EMITTED.put(transaction.getTxnId(), System.nanoTime());
        }
        return transaction;
    }

    static List<Alert> alerts() {
        return new ArrayList<>(ALERTS);
    }

    static Histogram latencyMicros() {
        return LATENCY_MICROS.getIntervalHistogram();
    }

    @Override
    public SinkWriter<Alert> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(Alert alert, Context context) {
                Long born = EMITTED.get(alert.getTxnId());
                if (born != null) {
                    LATENCY_MICROS.recordValue(Math.max(0, (System.nanoTime() - born) / 1000));
                }
                ALERTS.add(alert);
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
            }
        };
    }
}
