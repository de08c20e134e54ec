package io.vigil.runtime.shard;

import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.spi.CompiledOperator;

/** One version of an operator as a shard runs it: the spec it came from and its compiled form. */
public record ShardVersion(OperatorSpec spec, CompiledOperator compiled, long version) {
}
