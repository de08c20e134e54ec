package io.vigil.api.codec;

import io.vigil.api.proto.OperatorSpec;

/**
 * What becomes of an event that arrives behind the watermark: the spec option {@code late-events}.
 * {@code drop}, the default, drops and counts it on the host (Describe's late events), as Flink's
 * windows drop theirs; {@code side-output} has the connector emit it on the side output
 * {@code VigilFunction.lateEventsTag()} instead of sending it, judged late by the connector
 * subtask's own watermark, as Flink's {@code sideOutputLateData} judges.
 */
public enum LateEventsPolicy {
    DROP("drop"),
    SIDE_OUTPUT("side-output");

    public static final String OPTION = "late-events";

    private final String value;

    LateEventsPolicy(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** @throws IllegalArgumentException when the option has a value other than drop or side-output */
    public static LateEventsPolicy of(OperatorSpec spec) {
        String value = spec.getOptionsMap().get(OPTION);
        if (value == null) {
            return DROP;
        }
        for (LateEventsPolicy policy : values()) {
            if (policy.value.equals(value)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("option " + OPTION + " of operator '" + spec.getName() + "' must be drop or side-output, not "
                + value);
    }
}
