package io.vigil.examples.fraud.functions;

import io.vigil.api.function.Event;
import io.vigil.api.function.FunctionContext;
import io.vigil.api.function.KeyedFunction;
import io.vigil.api.function.MapState;
import io.vigil.api.function.Results;
import java.util.Iterator;
import java.util.Map;

/**
 * SMALL_THEN_LARGE in Java, as the EPL pattern has it: every charge under 2.00 waits for the
 * card's next charge of at least {@code large} (option, default 200.00) within a minute, and each
 * waiting small charge it completes raises an alert.
 */
public final class SmallThenLarge implements KeyedFunction {
    private static final long WINDOW_MILLIS = 60_000;

    private MapState<Long, Integer> waitingSmallCharges;
    private double large;

    @Override
    public void open(FunctionContext context) {
        waitingSmallCharges = context.mapState("waiting-small-charges", Long.class, Integer.class);
        large = Double.parseDouble(context.option("large", "200.00"));
    }

    @Override
    public void process(Event txn, Results results) {
        long ts = txn.getLong("ts");
        double amount = txn.getDouble("amount");
        if (amount >= large) {
            for (Iterator<Map.Entry<Long, Integer>> waiting = waitingSmallCharges.entries().iterator(); waiting.hasNext(); ) {
                Map.Entry<Long, Integer> small = waiting.next();
                if (ts - small.getKey() <= WINDOW_MILLIS) {
                    for (int i = 0; i < small.getValue(); i++) {
                        results.emit("SMALL_THEN_LARGE", txn.getString("cardId"), txn.getString("txnId"), amount, ts);
                    }
                    waiting.remove();
                }
            }
        }
        for (Iterator<Map.Entry<Long, Integer>> waiting = waitingSmallCharges.entries().iterator(); waiting.hasNext(); ) {
            if (ts - waiting.next().getKey() > WINDOW_MILLIS) {
                waiting.remove();
            }
        }
        if (amount < 2.00) {
            Integer already = waitingSmallCharges.get(ts);
            waitingSmallCharges.put(ts, already == null ? 1 : already + 1);
        }
    }
}
