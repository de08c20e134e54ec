package io.vigil.adapter.java;

import io.vigil.adapter.state.SnapshotOperator;
import io.vigil.api.function.KeyedFunction;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;

/** A Java operator's class, from which each shard gets an instance and a state store of its own. */
final class JavaCompiledOperator extends SnapshotOperator {
    private final Class<? extends KeyedFunction> type;

    JavaCompiledOperator(OperatorDefinition definition, Class<? extends KeyedFunction> type, long retentionMillis) {
        super(definition, retentionMillis);
        this.type = type;
    }

    @Override
    public OperatorInstance instantiate(ShardContext shard) throws ReflectiveOperationException {
        return new JavaOperatorInstance(definition, type.getConstructor().newInstance(), false, retentionMillis);
    }

    /**
     * Replacing a Java operator, the new instance takes the old one's state store over at the
     * switch; replacing another language's, it rebuilds its state from the input the host retained.
     */
    @Override
    public OperatorInstance instantiateReplacing(ShardContext shard, OperatorInstance previous) throws ReflectiveOperationException {
        return new JavaOperatorInstance(definition, type.getConstructor().newInstance(), previous instanceof JavaOperatorInstance,
                retentionMillis);
    }
}
