package io.vigil.benchmarks.harness;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** The sink of every Flink variant: counts alerts and times each from its payment's birth. */
public final class AlertTimer implements Sink<PaymentAlert> {
    private static final Recorder LATENCY_MICROS = new Recorder(3);
    private static final LongAdder ALERTS = new LongAdder();

    static void reset() {
        LATENCY_MICROS.reset();
        ALERTS.reset();
    }

    static long alerts() {
        return ALERTS.sum();
    }

    static Histogram latencyMicros() {
        return LATENCY_MICROS.getIntervalHistogram();
    }

    @Override
    public SinkWriter<PaymentAlert> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(PaymentAlert alert, Context context) {
                LATENCY_MICROS.recordValue(Math.max(0, (System.nanoTime() - alert.getBornNanos()) / 1000));
                ALERTS.increment();
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
