package io.vigil.api.codec;

import io.vigil.api.proto.OperatorSpec;

/**
 * How a new version of an operator takes over the state of the one before it: the spec option
 * {@code swap-state} ({@code statePolicy} in a {@code CepOperator}). {@code replay}, the default,
 * carries state across; {@code fresh} starts the new version empty.
 */
public enum SwapStatePolicy {
    REPLAY("replay"),
    FRESH("fresh");

    public static final String OPTION = "swap-state";

    private final String value;

    SwapStatePolicy(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static SwapStatePolicy of(OperatorSpec spec) {
        return FRESH.value.equals(spec.getOptionsMap().get(OPTION)) ? FRESH : REPLAY;
    }

    /** @throws IllegalArgumentException naming {@code where} the value came from */
    public static SwapStatePolicy parse(String value, String where) {
        for (SwapStatePolicy policy : values()) {
            if (policy.value.equals(value)) {
                return policy;
            }
        }
        throw new IllegalArgumentException(where + " must be replay or fresh, not " + value);
    }
}
