package io.vigil.runtime.shard;

import io.vigil.api.codec.SwapStatePolicy;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.spi.CompiledOperator;

/** One version of an operator as a shard runs it: the spec it came from and its compiled form. */
public record ShardVersion(OperatorSpec spec, CompiledOperator compiled, long version) {
    /** Whether this version takes over the state of the one before it (by replaying the input log), rather than starting empty. */
    public boolean carriesState() {
        return SwapStatePolicy.of(spec) == SwapStatePolicy.REPLAY;
    }
}
