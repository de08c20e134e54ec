package io.vigil.benchmarks;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.WireBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The columnar codec on a batch of payments. One operation is one event. Run with {@code -prof gc}
 * to see the allocation per event: encoding allocates nothing; decoding allocates only the
 * payments' strings (a {@code String} and its bytes per string field), or nothing without strings.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ColumnarCodecBenchmark {
    private static final int ROWS = 1024;

    @Param({"payments", "numbers"})
    public String shape;

    private ColumnarBatch batch;
    private ColumnarBatch target;
    private WireBuffer wire;
    private final BatchDecoder decoder = new BatchDecoder();

    @Setup
    public void setUp() {
        EventSchema schema = shape.equals("payments")
                ? EventSchema.builder("Txn").field("txnId", FieldKind.STRING).field("cardId", FieldKind.STRING)
                        .field("amount", FieldKind.DOUBLE).field("ts", FieldKind.TIMESTAMP).field("bornNanos", FieldKind.LONG).build()
                : EventSchema.builder("Reading").field("sensor", FieldKind.LONG).field("value", FieldKind.DOUBLE)
                        .field("ts", FieldKind.TIMESTAMP).field("count", FieldKind.INT).build();
        batch = new ColumnarBatch(schema, ROWS);
        for (int r = 0; r < ROWS; r++) {
            int row = batch.addRow(1_767_225_600_000L + r * 72L, r);
            if (shape.equals("payments")) {
                batch.setString(0, row, "T" + (1_000_000 + r));
                batch.setString(1, row, "C" + (r * 7919 % 50_000));
                batch.setDouble(2, row, 20 + r % 40 * 1.37);
                batch.setLong(3, row, 1_767_225_600_000L + r * 72L);
                batch.setLong(4, row, System.nanoTime());
            } else {
                batch.setLong(0, row, r % 100);
                batch.setDouble(1, row, r * 0.25);
                batch.setLong(2, row, 1_767_225_600_000L + r * 72L);
                batch.setInt(3, row, r);
            }
        }
        target = new ColumnarBatch(schema, ROWS);
        wire = new WireBuffer(ROWS * 64);
        BatchEncoder.events(batch, 1, true, 0, wire);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int encode() {
        BatchEncoder.events(batch, 1, true, 0, wire);
        return wire.length();
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int decode() throws BatchFormatException {
        target.clear();
        decoder.events(wire.array(), wire.length(), target);
        return target.rowCount();
    }
}
