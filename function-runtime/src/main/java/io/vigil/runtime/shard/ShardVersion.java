package io.vigil.runtime.shard;

import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.spi.CompiledOperator;

/** One version of an operator as a shard runs it: the spec it came from and its compiled form. */
public record ShardVersion(OperatorSpec spec, CompiledOperator compiled, long version) {
    /** Spec option: how a version takes over from another — {@code replay} (the default) or {@code fresh}. */
    public static final String SWAP_STATE_OPTION = "swap-state";
    public static final String SWAP_FRESH = "fresh";

    /** Whether this version takes over the state of the one before it (by replaying the input log), rather than starting empty. */
    public boolean carriesState() {
        return !SWAP_FRESH.equals(spec.getOptionsMap().get(SWAP_STATE_OPTION));
    }
}
