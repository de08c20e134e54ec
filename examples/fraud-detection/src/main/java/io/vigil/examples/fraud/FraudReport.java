package io.vigil.examples.fraud;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Alerts found against fraud injected, per rule. */
public final class FraudReport {

    /** One rule's score. Duplicate alerts count as false positives. */
    public record RuleScore(Rule rule, int injected, int found, int truePositives) {
        public double precision() {
            return found == 0 ? (injected == 0 ? 1.0 : 0.0) : (double) truePositives / found;
        }

        public double recall() {
            return injected == 0 ? 1.0 : (double) truePositives / injected;
        }
    }

    private final Map<Rule, RuleScore> scores;

    private FraudReport(Map<Rule, RuleScore> scores) {
        this.scores = scores;
    }

    public static FraudReport of(Collection<ExpectedAlert> expected, Collection<Alert> alerts) {
        Map<Rule, RuleScore> scores = new EnumMap<>(Rule.class);
        for (Rule rule : Rule.values()) {
            Set<String> injected = new HashSet<>();
            for (ExpectedAlert e : expected) {
                if (e.rule() == rule) {
                    injected.add(e.txnId());
                }
            }
            int found = 0;
            Set<String> hits = new HashSet<>();
            for (Alert alert : alerts) {
                if (alert.getRule().equals(rule.name())) {
                    found++;
                    if (injected.contains(alert.getTxnId())) {
                        hits.add(alert.getTxnId());
                    }
                }
            }
            scores.put(rule, new RuleScore(rule, injected.size(), found, hits.size()));
        }
        return new FraudReport(scores);
    }

    public RuleScore score(Rule rule) {
        return scores.get(rule);
    }

    public boolean perfect() {
        return scores.values().stream().allMatch(s -> s.precision() == 1.0 && s.recall() == 1.0);
    }

    public List<String> table() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-18s %9s %9s %9s %10s %8s", "rule", "injected", "found", "correct", "precision", "recall"));
        for (RuleScore s : scores.values()) {
            lines.add(String.format("%-18s %9d %9d %9d %10.3f %8.3f", s.rule(), s.injected(), s.found(), s.truePositives(),
                    s.precision(), s.recall()));
        }
        return lines;
    }
}
