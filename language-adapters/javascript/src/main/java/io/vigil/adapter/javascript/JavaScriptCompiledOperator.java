package io.vigil.adapter.javascript;

import io.vigil.adapter.state.SnapshotOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Source;

/** A JavaScript operator's parsed source; each shard evaluates it in a context of its own. */
final class JavaScriptCompiledOperator extends SnapshotOperator {
    private final Engine engine;
    private final Source source;

    JavaScriptCompiledOperator(OperatorDefinition definition, Engine engine, Source source, long retentionMillis) {
        super(definition, retentionMillis);
        this.engine = engine;
        this.source = source;
    }

    @Override
    public OperatorInstance instantiate(ShardContext shard) {
        return new JavaScriptInstance(definition, engine, source, false, retentionMillis);
    }

    @Override
    public OperatorInstance instantiateReplacing(ShardContext shard, OperatorInstance previous) {
        return new JavaScriptInstance(definition, engine, source, previous instanceof JavaScriptInstance, retentionMillis);
    }
}
