package io.vigil.k8s.cepoperator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.vigil.k8s.customresource.CepOperatorStatus;
import java.time.Instant;
import java.util.List;

/** The conditions a CepOperator reports; a condition's transition time moves only when its status does. */
final class OperatorConditions {
    static final String COMPILED = "Compiled";
    static final String READY = "Ready";
    static final String SWAPPING = "Swapping";
    /** True when the shards run where the spec's shard count and the pool's pods put them. */
    static final String PLACED = "Placed";
    /** With spec.autoscaling: what the load calls for, and the last change it made. */
    static final String AUTOSCALED = "Autoscaled";

    private OperatorConditions() {
    }

    static void set(CepOperatorStatus status, long generation, String type, boolean value, String reason, String message) {
        List<Condition> conditions = status.getConditions();
        Condition previous = conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
        String state = value ? "True" : "False";
        String since = previous != null && state.equals(previous.getStatus()) ? previous.getLastTransitionTime() : Instant.now().toString();
        conditions.removeIf(c -> c.getType().equals(type));
        conditions.add(new ConditionBuilder().withType(type).withStatus(state).withReason(reason).withMessage(message)
                .withObservedGeneration(generation).withLastTransitionTime(since).build());
        conditions.sort((a, b) -> order(a.getType()) - order(b.getType()));
    }

    private static int order(String type) {
        return switch (type) {
            case COMPILED -> 0;
            case READY -> 1;
            default -> 2;
        };
    }
}
