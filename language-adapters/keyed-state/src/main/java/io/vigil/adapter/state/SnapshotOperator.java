package io.vigil.adapter.state;

import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorDefinition;

/**
 * A compiled operator whose checkpoints are its instances' own snapshots — the host-owned state of
 * {@link KeyedStateInstance}, or a language's native snapshot — and which keeps input only for
 * swaps that rebuild state by replay.
 */
public abstract class SnapshotOperator implements CompiledOperator {
    protected final OperatorDefinition definition;
    protected final long retentionMillis;

    protected SnapshotOperator(OperatorDefinition definition, long retentionMillis) {
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
