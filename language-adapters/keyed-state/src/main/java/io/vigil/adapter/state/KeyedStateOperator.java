package io.vigil.adapter.state;

import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorDefinition;

/** A compiled operator whose instances keep their state with the host ({@link KeyedStateInstance}). */
public abstract class KeyedStateOperator implements CompiledOperator {
    protected final OperatorDefinition definition;
    protected final long retentionMillis;

    protected KeyedStateOperator(OperatorDefinition definition, long retentionMillis) {
        this.definition = definition;
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
}
