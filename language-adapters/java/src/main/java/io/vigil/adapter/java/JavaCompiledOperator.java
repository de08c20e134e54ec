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
    private final long retentionMillis;

    JavaCompiledOperator(OperatorDefinition definition, Class<? extends KeyedFunction> type, long retentionMillis) {
        this.definition = definition;
        this.type = type;
        this.retentionMillis = retentionMillis;
    }

    @Override
    public OperatorDefinition definition() {
        return definition;
    }

    /**
     * Checkpoints hold the state itself, so no input is needed to recover it; the {@code retention}
     * option keeps that much input anyway, so that this operator can take over from one in another
     * language — and another from it — by replay.
     */
    @Override
    public long stateHorizonMillis() {
        return retentionMillis;
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
