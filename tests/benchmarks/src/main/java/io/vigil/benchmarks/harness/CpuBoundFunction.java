package io.vigil.benchmarks.harness;

import io.vigil.api.function.Event;
import io.vigil.api.function.FunctionContext;
import io.vigil.api.function.KeyedFunction;
import io.vigil.api.function.Results;
import io.vigil.api.function.ValueState;

/**
 * A CPU-bound operator for the scaling benchmark: each payment costs {@code iterations} rounds of
 * a xorshift mix seeded by the amount and the card's running value, which it keeps; it emits an
 * alert when the mix lands in a one-in-a-million range, so the answers stay small.
 */
public final class CpuBoundFunction implements KeyedFunction {
    private ValueState<Long> mixed;
    private int iterations;

    @Override
    public void open(FunctionContext context) {
        mixed = context.valueState("mixed", Long.class);
        iterations = Integer.parseInt(context.option("iterations", "20000"));
    }

    @Override
    public void process(Event payment, Results results) {
        Long before = mixed.get();
        long x = (before == null ? 0x9E3779B97F4A7C15L : before) ^ Double.doubleToLongBits(payment.getDouble("amount"));
        for (int i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        mixed.set(x);
        if (Long.remainderUnsigned(x, 1_000_000) == 0) {
            results.emit("CPU_BOUND", payment.getString("cardId"), payment.getString("txnId"), payment.getLong("ts"),
                    payment.getLong("bornNanos"));
        }
    }
}
