package io.vigil.adapter.siddhi;

import io.siddhi.core.SiddhiManager;
import io.vigil.adapter.state.SnapshotOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;

/** A SiddhiQL operator that compiles; each shard creates its app from it, and Siddhi's snapshots are its checkpoints. */
final class SiddhiCompiledOperator extends SnapshotOperator {
    private final SiddhiManager manager;

    SiddhiCompiledOperator(OperatorDefinition definition, SiddhiManager manager, long retentionMillis) {
        super(definition, retentionMillis);
        this.manager = manager;
    }

    @Override
    public OperatorInstance instantiate(ShardContext shard) {
        return new SiddhiInstance(definition, manager.createSiddhiAppRuntime(SiddhiApps.of(definition)), retentionMillis);
    }
}
