package io.vigil.adapter.java;

import io.vigil.api.function.KeyedFunction;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;

/** A Java operator's class, from which each shard gets an instance and a state store of its own. */
final class JavaCompiledOperator implements CompiledOperator {
    private final OperatorDefinition definition;
    private final Class<? extends KeyedFunction> type;

    JavaCompiledOperator(OperatorDefinition definition, Class<? extends KeyedFunction> type) {
        this.definition = definition;
        this.type = type;
    }

    @Override
    public OperatorDefinition definition() {
        return definition;
    }

    /** The state is the host's, snapshotted whole at each checkpoint: no input needs keeping. */
    @Override
    public long stateHorizonMillis() {
        return 0;
    }

    @Override
    public OperatorInstance instantiate(ShardContext shard) throws ReflectiveOperationException {
        return new JavaOperatorInstance(definition, type.getConstructor().newInstance(), false);
    }

    /** Replacing a Java operator, the new instance takes the old one's state store over at the switch. */
    @Override
    public OperatorInstance instantiateReplacing(ShardContext shard, OperatorInstance previous) throws ReflectiveOperationException {
        return new JavaOperatorInstance(definition, type.getConstructor().newInstance(), previous instanceof JavaOperatorInstance);
    }
}
