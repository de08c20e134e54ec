package io.vigil.adapter.grpc;

import io.vigil.adapter.state.SnapshotOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;

/** A remote function checked with its process; each shard opens a session of its own there. */
final class RemoteCompiledOperator extends SnapshotOperator {
    private final RemoteFunction function;

    RemoteCompiledOperator(OperatorDefinition definition, RemoteFunction function, long retentionMillis) {
        super(definition, retentionMillis);
        this.function = function;
    }

    @Override
    public OperatorInstance instantiate(ShardContext shard) {
        return new RemoteInstance(function, definition.input(), shard, false, retentionMillis);
    }

    /**
     * Replacing a session of the same function, the new session is handed the old one's snapshot
     * at the switch; replacing anything else, it rebuilds its state from the input the host retained.
     */
    @Override
    public OperatorInstance instantiateReplacing(ShardContext shard, OperatorInstance previous) {
        boolean takesOver = previous instanceof RemoteInstance remote && remote.function().sameFunctionAs(function);
        return new RemoteInstance(function, definition.input(), shard, takesOver, retentionMillis);
    }
}
