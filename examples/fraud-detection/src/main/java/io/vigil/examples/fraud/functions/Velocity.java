package io.vigil.examples.fraud.functions;

import io.vigil.api.function.Event;
import io.vigil.api.function.FunctionContext;
import io.vigil.api.function.KeyedFunction;
import io.vigil.api.function.MapState;
import io.vigil.api.function.Results;
import java.util.Iterator;
import java.util.Map;

/** VELOCITY in Java: more than five charges on one card within a minute of the card's newest. */
public final class Velocity implements KeyedFunction {
    private static final long WINDOW_MILLIS = 60_000;

    private MapState<Long, Integer> chargesAt;
    private int limit;

    @Override
    public void open(FunctionContext context) {
        chargesAt = context.mapState("charges-at", Long.class, Integer.class);
        limit = Integer.parseInt(context.option("limit", "5"));
    }

    @Override
    public void process(Event txn, Results results) {
        long ts = txn.getLong("ts");
        Integer already = chargesAt.get(ts);
        chargesAt.put(ts, already == null ? 1 : already + 1);
        int inWindow = 0;
        for (Iterator<Map.Entry<Long, Integer>> charges = chargesAt.entries().iterator(); charges.hasNext(); ) {
            Map.Entry<Long, Integer> charge = charges.next();
            if (charge.getKey() <= ts - WINDOW_MILLIS) {
                charges.remove();
            } else {
                inWindow += charge.getValue();
            }
        }
        if (inWindow > limit) {
            results.emit("VELOCITY", txn.getString("cardId"), txn.getString("txnId"), txn.getDouble("amount"), ts);
        }
    }
}
