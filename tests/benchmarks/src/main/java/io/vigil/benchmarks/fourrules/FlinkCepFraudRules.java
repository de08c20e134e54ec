package io.vigil.benchmarks.fourrules;

import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.Geo;
import io.vigil.examples.fraud.Transaction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.util.Collector;

/**
 * Variant (d) of the four-rule workload: the closest Flink CEP pattern for each rule, in event time,
 * per card. SMALL_THEN_LARGE and IMPOSSIBLE_TRAVEL are patterns in EPL too. VELOCITY becomes six
 * consecutive charges within a minute. ABOVE_AVERAGE, an aggregate over a day's window, has no
 * pattern form: the closest is a charge above four times the average of itself and the six charges
 * before it.
 */
final class FlinkCepFraudRules {
    private FlinkCepFraudRules() {
    }

    static DataStream<Alert> alerts(DataStream<Transaction> transactions) {
        KeyedStream<Transaction, String> cards = transactions.keyBy((KeySelector<Transaction, String>) Transaction::getCardId);
        Pattern<Transaction, ?> smallThenLarge = Pattern.<Transaction>begin("small")
                .where(SimpleCondition.of(t -> t.getAmount() < 2.00))
                .followedBy("last")
                .where(new IterativeCondition<>() {
                    @Override
                    public boolean filter(Transaction t, Context<Transaction> context) throws Exception {
                        Transaction small = context.getEventsForPattern("small").iterator().next();
                        return t.getAmount() >= 200.00 && t.getTs() - small.getTs() <= 60_000;
                    }
                })
                .within(Duration.ofDays(1));
        Pattern<Transaction, ?> velocity = Pattern.<Transaction>begin("last")
                .times(6).consecutive()
                .within(Duration.ofMinutes(1));
        Pattern<Transaction, ?> impossibleTravel = Pattern.<Transaction>begin("from")
                .next("last")
                .where(new IterativeCondition<>() {
                    @Override
                    public boolean filter(Transaction to, Context<Transaction> context) throws Exception {
                        Transaction from = context.getEventsForPattern("from").iterator().next();
                        return to.getTs() > from.getTs() && Geo.distanceKm(from.getLat(), from.getLon(), to.getLat(), to.getLon())
                                / ((to.getTs() - from.getTs()) / 3_600_000.0) > 1000.0;
                    }
                })
                .within(Duration.ofDays(1));
        Pattern<Transaction, ?> aboveAverage = Pattern.<Transaction>begin("history")
                .times(6).consecutive()
                .next("last")
                .where(new IterativeCondition<>() {
                    @Override
                    public boolean filter(Transaction charge, Context<Transaction> context) throws Exception {
                        double sum = charge.getAmount();
                        int count = 1;
                        for (Transaction before : context.getEventsForPattern("history")) {
                            sum += before.getAmount();
                            count++;
                        }
                        return charge.getAmount() > 4 * sum / count;
                    }
                })
                .within(Duration.ofDays(1));
        return match(cards, smallThenLarge, "SMALL_THEN_LARGE")
                .union(match(cards, velocity, "VELOCITY"), match(cards, impossibleTravel, "IMPOSSIBLE_TRAVEL"),
                        match(cards, aboveAverage, "ABOVE_AVERAGE"));
    }

    private static DataStream<Alert> match(KeyedStream<Transaction, String> cards, Pattern<Transaction, ?> pattern, String rule) {
        return CEP.pattern(cards, pattern).inEventTime()
                .process(new PatternProcessFunction<Transaction, Alert>() {
                    @Override
                    public void processMatch(Map<String, List<Transaction>> match, Context context, Collector<Alert> out) {
                        List<Transaction> last = match.get("last");
                        Transaction t = last.get(last.size() - 1);
                        out.collect(new Alert(rule, t.getCardId(), t.getTxnId(), t.getAmount(), t.getTs()));
                    }
                }).returns(TypeInformation.of(Alert.class)).name("cep " + rule);
    }
}
