package io.vigil.examples.fraud.functions;

import io.vigil.api.proto.OperatorSpec;
import java.util.Arrays;
import java.util.List;

/**
 * The languages besides EPL that SMALL_THEN_LARGE and VELOCITY are written in: the one list the
 * demo, the tests and the benchmarks take them from. A rule's name is {@code small-then-large}
 * or {@code velocity}.
 */
public enum RuleLanguage {
    JAVA("java", "Java"),
    JAVASCRIPT("javascript", "JavaScript"),
    SIDDHI("siddhi", "SiddhiQL"),
    PYTHON("python", "Python");

    private final String id;
    private final String displayName;

    RuleLanguage(String id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    /** How the demo's {@code --language} names it. */
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** Whether its rules run in a process of their own (started by {@link FraudFunctions#pythonRules}). */
    public boolean needsProcess() {
        return this == PYTHON;
    }

    /**
     * {@code rule} in this language, deployed as {@code name}.
     *
     * @param processTarget where the rules' process listens, for a language that {@link #needsProcess}; else ignored
     */
    public OperatorSpec spec(String name, String rule, int shards, String processTarget) {
        return switch (this) {
            case JAVA -> FraudFunctions.spec(name, rule.equals("velocity") ? Velocity.class : SmallThenLarge.class, shards);
            case JAVASCRIPT -> FraudFunctions.javascript(name, rule, shards);
            case SIDDHI -> FraudFunctions.siddhi(name, rule, shards);
            case PYTHON -> FraudFunctions.python(name, rule, processTarget, shards);
        };
    }

    /**
     * SMALL_THEN_LARGE with its large charge at {@code large}: an option in most languages; SiddhiQL
     * has none, so there the threshold is in the query.
     */
    public OperatorSpec smallThenLarge(String name, int shards, String processTarget, String large) {
        OperatorSpec spec = spec(name, "small-then-large", shards, processTarget);
        return this == SIDDHI
                ? spec.toBuilder().setSource(spec.getSource().replace("amount >= 200.0", "amount >= " + large)).build()
                : spec.toBuilder().putOptions("large", large).build();
    }

    public static RuleLanguage of(String id) {
        return Arrays.stream(values()).filter(l -> l.id.equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown language '" + id + "'; the rules are written in esper, " + String.join(", ", ids())));
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(RuleLanguage::id).toList();
    }
}
