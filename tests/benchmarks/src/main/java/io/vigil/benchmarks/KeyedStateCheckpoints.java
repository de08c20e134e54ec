package io.vigil.benchmarks;

import io.vigil.adapter.state.KeyedStates;
import io.vigil.api.function.ValueState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Locale;

/**
 * What a checkpoint of host-owned keyed state (Java and JavaScript operators) writes: the state
 * whole, against the increment after 1 % of its keys changed; bytes and time, best of three, for
 * 10,000 and 10,000,000 keys. Run: {@code java -Xmx6g -cp tests/benchmarks/target/benchmarks.jar
 * io.vigil.benchmarks.KeyedStateCheckpoints}.
 */
public final class KeyedStateCheckpoints {
    private KeyedStateCheckpoints() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("| keys | whole: bytes | whole: ms | increment (1 % changed): bytes | increment: ms | increment / whole (bytes, time) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (int keys : new int[] {10_000, 10_000_000}) {
            KeyedStates states = new KeyedStates("bench");
            ValueState<Long> counts = states.valueState("counts", Long.class);
            for (long key = 0; key < keys; key++) {
                states.setKey(key);
                counts.set(key);
            }
            long wholeBytes = 0;
            long wholeNanos = Long.MAX_VALUE;
            long incrementBytes = 0;
            long incrementNanos = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                wholeBytes = write(states, true);
                wholeNanos = Math.min(wholeNanos, System.nanoTime() - start);
                for (long key = round; key < keys; key += 100) {
                    states.setKey(key);
                    counts.set(key + round + 1);
                }
                start = System.nanoTime();
                incrementBytes = write(states, false);
                incrementNanos = Math.min(incrementNanos, System.nanoTime() - start);
            }
            System.out.printf(Locale.ROOT, "| %,d | %,d | %.2f | %,d | %.2f | %.3f, %.3f |%n", keys, wholeBytes, wholeNanos / 1e6, incrementBytes,
                    incrementNanos / 1e6, (double) incrementBytes / wholeBytes, (double) incrementNanos / wholeNanos);
        }
    }

    private static long write(KeyedStates states, boolean whole) throws IOException {
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
}
