package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.examples.fraud.ExpectedAlert;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudReport;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Rule;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole chain with real parts: seeded transactions in a Flink MiniCluster, the connector,
 * gRPC over loopback, a function host running the four EPL rules on two shards, alerts back.
 */
class FraudPipelineEndToEndTest {
    static final long EVENTS = 40_000;
    static final long SEED = 7;
    static final double FRAUD_RATE = 0.004;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    @RegisterExtension
    static final FraudRulesHost HOST = new FraudRulesHost(2);

    @Test
    void alertsEqualTheInjectedFraudExactlyForEveryRule() throws Exception {
        List<ExpectedAlert> expected = TransactionGenerator.groundTruth(SEED, EVENTS, FRAUD_RATE);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<Long> hourlyCounts = new CollectingSink<>();
        DataStream<Alert> stream = FraudDetectionJob.alerts(env, settings(Duration.ofMillis(2)));
        stream.sinkTo(alerts);
        // Downstream event-time windows see every alert only if the connector forwards watermarks
        // after the results they follow (a late alert would be dropped from its window).
        stream.keyBy(Alert::getRule)
                .window(TumblingEventTimeWindows.of(Duration.ofHours(1)))
                .aggregate(new Count())
                .sinkTo(hourlyCounts);
        env.execute("fraud end to end");

        List<Alert> found = new ArrayList<>(alerts.results());
        for (Rule rule : Rule.values()) {
            assertThat(expected).as("the generator injects %s", rule).anyMatch(e -> e.rule() == rule);
        }
        assertThat(found.stream().map(a -> new ExpectedAlert(Rule.valueOf(a.getRule()), a.getTxnId())).toList())
                .as("alerts, each once")
                .containsExactlyInAnyOrderElementsOf(expected);
        FraudReport report = FraudReport.of(expected, found);
        for (Rule rule : Rule.values()) {
            assertThat(report.score(rule).precision()).as("precision of %s", rule).isEqualTo(1.0);
            assertThat(report.score(rule).recall()).as("recall of %s", rule).isEqualTo(1.0);
        }
        assertThat(hourlyCounts.results().stream().mapToLong(Long::longValue).sum())
                .as("alerts counted in event-time windows downstream (none late)")
                .isEqualTo(found.size());
        alerts.release();
        hourlyCounts.release();
    }

    @Test
    void alertsCarryTheTriggeringTransactionsValuesAndEventTime() throws Exception {
        Map<String, Transaction> byId = new HashMap<>();
        TransactionGenerator generator = new TransactionGenerator(SEED, EVENTS, FRAUD_RATE, e -> { });
        while (generator.hasNext()) {
            Transaction t = generator.next();
            byId.put(t.getTxnId(), t);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        // Batches of one row with no linger: every event is its own round trip.
        FraudDetectionJob.alerts(env, new FraudDetectionJob.Settings(endpoint(), FraudRules.OPERATOR, EVENTS, SEED, FRAUD_RATE,
                1, Duration.ZERO, 0)).sinkTo(alerts);
        env.execute("fraud single-event batches");

        Set<String> seen = new HashSet<>();
        for (Alert alert : alerts.results()) {
            Transaction t = byId.get(alert.getTxnId());
            assertThat(t).isNotNull();
            assertThat(alert.getCardId()).isEqualTo(t.getCardId());
            assertThat(alert.getAmount()).isEqualTo(t.getAmount());
            assertThat(alert.getTs()).isEqualTo(t.getTs());
            assertThat(seen.add(alert.getRule() + "/" + alert.getTxnId())).isTrue();
        }
        Map<Rule, Long> perRule = alerts.results().stream().collect(Collectors.groupingBy(a -> Rule.valueOf(a.getRule()), Collectors.counting()));
        assertThat(perRule).containsOnlyKeys(Rule.values());
        alerts.release();
    }

    static String endpoint() {
        return HOST.endpoint();
    }

    static FraudDetectionJob.Settings settings(Duration linger) {
        return new FraudDetectionJob.Settings(endpoint(), FraudRules.OPERATOR, EVENTS, SEED, FRAUD_RATE, 512, linger, 0);
    }

    static final class Count implements AggregateFunction<Alert, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Alert value, Long accumulator) {
            return accumulator + 1;
        }

        @Override
        public Long getResult(Long accumulator) {
            return accumulator;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }
}
