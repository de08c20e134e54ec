package io.vigil.benchmarks;

import io.vigil.adapter.grpc.RemoteAdapter;
import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.adapter.state.KeyedStates;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.function.ValueState;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.benchmarks.harness.Machine;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * What a checkpoint of native keyed state writes: the state whole, against the increment after
 * 1 % of its keys changed; bytes and time, best of three. Host-owned keyed state (Java and
 * JavaScript operators) with 10,000 and 10,000,000 keys; a Python function's dict per key, asked
 * over the gRPC contract, with 10,000 and 1,000,000 keys. Run: {@code java -Xmx6g -cp
 * tests/benchmarks/target/benchmarks.jar io.vigil.benchmarks.KeyedStateCheckpoints}.
 */
public final class KeyedStateCheckpoints {
    private static final int ROUNDS = 3;

    /** One kind of native state: fill it, change 1 % of its keys, and write it whole or as an increment. */
    private interface State {
        void write(long key, long value) throws IOException;

        long snapshot(boolean whole) throws Exception;
    }

    private KeyedStateCheckpoints() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("Run " + java.time.LocalDate.now() + " on " + Machine.describe());
        System.out.println("| state | keys | whole: bytes | whole: ms | increment (1 % changed): bytes | increment: ms | increment / whole (bytes, time) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (int keys : new int[] {10_000, 10_000_000}) {
            measure("Java/JavaScript keyed state, in the host", keys, hostOwned());
        }
        try (PythonOperatorProcess python = FraudFunctions.pythonRules()) {
            for (int keys : new int[] {10_000, 1_000_000}) {
                try (OperatorInstance velocity = new RemoteAdapter().compile(new OperatorDefinition("bench-python", "grpc",
                        python.target(), FraudRules.TRANSACTION, FraudRules.ALERT, "cardId", 1, Map.of("function", "velocity")))
                        .instantiate(new ShardContext("bench-python", 0, 1, 1))) {
                    measure("Python dict per key, over gRPC", keys, remote(velocity, keys));
                }
            }
        }
    }

    private static void measure(String name, int keys, State state) throws Exception {
        for (long key = 0; key < keys; key++) {
            state.write(key, 0);
        }
        long wholeBytes = 0;
        long wholeNanos = Long.MAX_VALUE;
        long incrementBytes = 0;
        long incrementNanos = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            wholeBytes = state.snapshot(true);
            wholeNanos = Math.min(wholeNanos, System.nanoTime() - start);
            for (long key = round; key < keys; key += 100) {
                state.write(key, round + 1);
            }
            start = System.nanoTime();
            incrementBytes = state.snapshot(false);
            incrementNanos = Math.min(incrementNanos, System.nanoTime() - start);
        }
        System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %.2f | %,d | %.2f | %.3f, %.3f |%n", name, keys, wholeBytes, wholeNanos / 1e6,
                incrementBytes, incrementNanos / 1e6, (double) incrementBytes / wholeBytes, (double) incrementNanos / wholeNanos);
    }

    private static State hostOwned() {
        KeyedStates states = new KeyedStates("bench");
        ValueState<Long> counts = states.valueState("counts", Long.class);
        return new State() {
            @Override
            public void write(long key, long value) {
                states.setKey(key);
                counts.set(key + value);
            }

            @Override
            public long snapshot(boolean whole) throws IOException {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
                DataOutputStream out = new DataOutputStream(bytes);
                if (whole) {
                    states.write(out);
                } else {
                    states.writeChanges(out);
                }
                out.flush();
                return bytes.size();
            }
        };
    }

    /** The fraud example's Python VELOCITY rule: each transaction adds to its card's dict of charges. */
    private static State remote(OperatorInstance velocity, int keys) {
        int batchRows = 4096;
        ColumnarBatch batch = new ColumnarBatch(FraudRules.TRANSACTION, batchRows);
        ColumnarBatch alerts = new ColumnarBatch(FraudRules.ALERT, batchRows);
        return new State() {
            long sequence;

            @Override
            public void write(long key, long value) {
                long ts = 1_000 + value * 1_000;
                int row = batch.addRow(ts, ++sequence);
                batch.setString(0, row, "t" + sequence);
                batch.setString(1, row, "card-" + key);
                batch.setString(2, row, "m");
                batch.setDouble(3, row, 12.5);
                batch.setDouble(4, row, 1.0);
                batch.setDouble(5, row, 2.0);
                batch.setLong(6, row, ts);
                if (batch.rowCount() == batchRows) {
                    flush();
                }
            }

            private void flush() {
                if (!batch.isEmpty()) {
                    velocity.process(batch, alerts);
                    batch.clear();
                    alerts.clear();
                }
            }

            @Override
            public long snapshot(boolean whole) throws Exception {
                flush();
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
                if (whole) {
                    velocity.snapshot(bytes);
                } else if (!velocity.snapshotChanges(bytes)) {
                    throw new IllegalStateException("the Python process writes no increments");
                }
                return bytes.size();
            }
        };
    }
}
