package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * An operator updated in steps while a stream runs through it, and what must hold afterwards.
 *
 * <p>Each step's EPL reports every event it processes ({@code SEEN-step}) besides its alerts, which
 * name the logic that raised them. Logic 1 flags large charges (500) and charges far above the
 * card's average over the last day (4 times, after 6 charges); logic 2 tightens both (200; 3 times,
 * after 5); logic 3 replaces the second rule with the card's spending over the day (above 1200).
 * Both history rules hold a day of each card's charges, which a version starting empty would lack.
 * A reference operator per logic sees the whole stream from the start. Since an update carries
 * state by replaying the input log, each event a step processed must raise exactly the alerts its
 * logic's reference raised on it.
 */
final class SwapScenario {
    static final String OPERATOR = "swapped";
    static final long SEED = 11;
    static final double FRAUD_RATE = 0.01;
    static final int SHARDS = 2;

    private SwapScenario() {
    }

    static String epl(int step, int logic) {
        String seen = "@name('SEEN') select 'SEEN-" + step + "' as rule, cardId, txnId, amount, ts from Txn;\n";
        String large = "@name('LARGE') select 'LARGE-" + logic + "' as rule, cardId, txnId, amount, ts from Txn(amount >= "
                + (logic == 1 ? "500" : "200") + ");\n";
        String history = "@name('HISTORY') select '" + (logic == 3 ? "SPEND" : "ABOVE_AVERAGE") + "-" + logic
                + "' as rule, cardId, txnId, amount, ts\n"
                + "from Txn#groupwin(cardId)#ext_timed(ts, 24 hours) group by cardId\n"
                + switch (logic) {
                    case 1 -> "having count(*) > 6 and amount > 4 * avg(amount);\n";
                    case 2 -> "having count(*) > 5 and amount > 3 * avg(amount);\n";
                    default -> "having sum(amount) > 1200;\n";
                };
        return seen + large + history;
    }

    static OperatorSpec step(int step, int logic) {
        return FraudRules.spec(OPERATOR, epl(step, logic), SHARDS);
    }

    static OperatorSpec reference(int logic) {
        return FraudRules.spec(referenceName(logic), epl(0, logic), SHARDS);
    }

    static String referenceName(int logic) {
        return "reference-" + logic;
    }

    /** The job's output for one operator: one line per result, {@code rule/txnId}. */
    static DataStream<String> results(StreamExecutionEnvironment env, String endpoint, String operator, long events,
                                      double eventsPerSecond) {
        return FraudDetectionJob.alerts(env, new FraudDetectionJob.Settings(endpoint, operator, events, SEED, FRAUD_RATE, 256,
                        Duration.ofMillis(2), eventsPerSecond))
                .map(alert -> alert.getRule() + "/" + alert.getTxnId());
    }

    /** Runs every logic's reference operator over the whole stream on {@code host}; its results by logic. */
    static Map<Integer, List<String>> references(io.vigil.runtime.FunctionHost host, long events, int... logics) throws Exception {
        io.grpc.ManagedChannel channel = TestHosts.channel(host);
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            Map<Integer, io.vigil.examples.fraud.CollectingSink<String>> sinks = new TreeMap<>();
            for (int logic : logics) {
                TestHosts.control(channel).deploy(reference(logic));
                io.vigil.examples.fraud.CollectingSink<String> sink = new io.vigil.examples.fraud.CollectingSink<>();
                results(env, host.endpoint(), referenceName(logic), events, 0).sinkTo(sink).setParallelism(1);
                sinks.put(logic, sink);
            }
            env.execute("references");
            Map<Integer, List<String>> references = new TreeMap<>();
            sinks.forEach((logic, sink) -> {
                references.put(logic, List.copyOf(sink.results()));
                sink.release();
            });
            return references;
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Checks the swapped operator's results against the references.
     *
     * @param logicOfStep the logic each step ran (index: step number)
     * @param references  each logic's reference results
     */
    static void assertSwappedCorrectly(List<String> swapped, int[] logicOfStep, Map<Integer, List<String>> references,
                                       long events, int stepsExpected) {
        Map<String, Integer> stepOf = new HashMap<>();
        List<String> alerts = new ArrayList<>();
        for (String line : swapped) {
            String rule = line.substring(0, line.indexOf('/'));
            String txn = line.substring(line.indexOf('/') + 1);
            if (rule.startsWith("SEEN-")) {
                Integer before = stepOf.put(txn, Integer.parseInt(rule.substring("SEEN-".length())));
                assertThat(before).as("transaction %s processed twice (steps %s and %s)", txn, before, stepOf.get(txn)).isNull();
            } else {
                alerts.add(line);
            }
        }
        List<Transaction> stream = stream(events);
        assertThat(stepOf).as("every transaction processed once").hasSize(stream.size());

        // Per card, in the order the card's transactions were sent, the steps only ever go forward.
        Map<String, Integer> lastStep = new HashMap<>();
        Map<Integer, Integer> perStep = new TreeMap<>();
        for (Transaction transaction : stream) {
            int step = stepOf.get(transaction.getTxnId());
            Integer previous = lastStep.put(transaction.getCardId(), step);
            assertThat(step).as("card %s went back from step %s to %s at %s", transaction.getCardId(), previous, step,
                    transaction.getTxnId()).isGreaterThanOrEqualTo(previous == null ? 0 : previous);
            perStep.merge(step, 1, Integer::sum);
        }
        assertThat(perStep.keySet()).as("transactions per step: %s", perStep).hasSize(stepsExpected);

        List<String> expected = new ArrayList<>();
        Map<Integer, Integer> expectedPerLogic = new TreeMap<>();
        for (Map.Entry<Integer, List<String>> reference : references.entrySet()) {
            for (String line : reference.getValue()) {
                String txn = line.substring(line.indexOf('/') + 1);
                if (!line.startsWith("SEEN-") && logicOfStep[stepOf.get(txn)] == reference.getKey()) {
                    expected.add(line);
                    expectedPerLogic.merge(reference.getKey(), 1, Integer::sum);
                }
            }
        }
        assertThat(expectedPerLogic.keySet()).as("alerts expected per logic: %s", expectedPerLogic)
                .hasSize((int) java.util.Arrays.stream(logicOfStep, 1, logicOfStep.length).distinct().count());
        assertThat(alerts).as("alerts of the swapped operator, against each step's reference")
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    static List<Transaction> stream(long events) {
        List<Transaction> transactions = new ArrayList<>();
        new TransactionGenerator(SEED, events, FRAUD_RATE, expected -> { }).forEachRemaining(transactions::add);
        return transactions;
    }
}
