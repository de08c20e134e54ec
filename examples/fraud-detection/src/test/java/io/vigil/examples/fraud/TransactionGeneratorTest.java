package io.vigil.examples.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransactionGeneratorTest {

    @Test
    void sameSeedSameStreamInEventTimeOrder() {
        List<Transaction> first = take(7, 20_000);
        List<Transaction> second = take(7, 20_000);
        assertThat(first).isEqualTo(second);
        for (int i = 1; i < first.size(); i++) {
            assertThat(first.get(i).getTs()).isGreaterThanOrEqualTo(first.get(i - 1).getTs());
        }
        assertThat(first.get(first.size() - 1).getTs() - first.get(0).getTs()).isLessThan(24L * 3600 * 1000);
        assertThat(take(8, 100)).isNotEqualTo(take(7, 100));
    }

    @Test
    void everyRuleIsInjectedAndEachFlaggedTransactionIsEmitted() {
        List<ExpectedAlert> expected = new ArrayList<>();
        TransactionGenerator generator = new TransactionGenerator(3, 50_000, 0.004, expected::add);
        Map<String, Transaction> emitted = new HashMap<>();
        while (generator.hasNext()) {
            Transaction t = generator.next();
            emitted.put(t.getTxnId(), t);
        }
        Map<Rule, Integer> perRule = new EnumMap<>(Rule.class);
        for (ExpectedAlert alert : expected) {
            perRule.merge(alert.rule(), 1, Integer::sum);
            assertThat(emitted).containsKey(alert.txnId());
        }
        assertThat(perRule).containsOnlyKeys(Rule.values());
        perRule.values().forEach(count -> assertThat(count).isGreaterThan(20));
        assertThat(TransactionGenerator.groundTruth(3, 50_000, 0.004)).isEqualTo(expected);
    }

    @Test
    void theFlaggedTransactionsHaveTheShapeOfTheirRule() {
        List<ExpectedAlert> expected = new ArrayList<>();
        TransactionGenerator generator = new TransactionGenerator(5, 30_000, 0.004, expected::add);
        Map<String, Transaction> byId = new HashMap<>();
        Map<String, List<Transaction>> byCard = new HashMap<>();
        while (generator.hasNext()) {
            Transaction t = generator.next();
            byId.put(t.getTxnId(), t);
            byCard.computeIfAbsent(t.getCardId(), c -> new ArrayList<>()).add(t);
        }
        for (ExpectedAlert alert : expected) {
            Transaction t = byId.get(alert.txnId());
            List<Transaction> card = byCard.get(t.getCardId());
            Transaction previous = card.get(card.indexOf(t) - 1);
            switch (alert.rule()) {
                case SMALL_THEN_LARGE -> {
                    assertThat(previous.getAmount()).isLessThan(2.0);
                    assertThat(t.getAmount()).isGreaterThanOrEqualTo(200.0);
                    assertThat(t.getTs() - previous.getTs()).isLessThanOrEqualTo(60_000);
                }
                case VELOCITY -> assertThat(t.getTs() - card.get(card.indexOf(t) - 5).getTs()).isLessThan(60_000);
                case IMPOSSIBLE_TRAVEL -> assertThat(Geo.distanceKm(previous.getLat(), previous.getLon(), t.getLat(), t.getLon())
                        / ((t.getTs() - previous.getTs()) / 3_600_000.0)).isGreaterThan(1000.0);
                case ABOVE_AVERAGE -> assertThat(t.getAmount()).isGreaterThan(4 * card.subList(0, card.indexOf(t)).stream()
                        .mapToDouble(Transaction::getAmount).average().orElseThrow());
            }
        }
    }

    static List<Transaction> take(long seed, int count) {
        List<Transaction> transactions = new ArrayList<>();
        new TransactionGenerator(seed, count, 0.004, e -> { }).forEachRemaining(transactions::add);
        return transactions;
    }
}
