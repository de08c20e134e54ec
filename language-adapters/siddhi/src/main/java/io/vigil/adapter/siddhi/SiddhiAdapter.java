package io.vigil.adapter.siddhi;

import io.siddhi.core.SiddhiAppRuntime;
import io.siddhi.core.SiddhiManager;
import io.siddhi.query.api.definition.Attribute;
import io.siddhi.query.api.definition.StreamDefinition;
import io.siddhi.query.api.exception.SiddhiAppContextException;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.Durations;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.SourceProblem;
import io.siddhi.query.compiler.SiddhiCompiler;
import java.util.List;

/**
 * SiddhiQL operators. Each shard runs the operator as a Siddhi app of its own in playback mode, so
 * its windows and {@code within} follow the events' timestamps; its state goes into checkpoints
 * through Siddhi's own snapshot and restore.
 */
public final class SiddhiAdapter implements LanguageAdapter {
    private final SiddhiManager manager = manager();

    // Siddhi finds its built-in extensions (windows, functions) through the context class loader
    // when the manager is made, and the host may load this plugin from any thread.
    private static SiddhiManager manager() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(SiddhiAdapter.class.getClassLoader());
        try {
            return new SiddhiManager();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public String language() {
        return "siddhi";
    }

    @Override
    public CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException {
        SiddhiAppRuntime runtime;
        try {
            runtime = manager.createSiddhiAppRuntime(SiddhiApps.of(definition));
        } catch (RuntimeException e) {
            if (e instanceof SiddhiAppContextException located && located.getQueryContextStartIndex() != null) {
                int[] at = located.getQueryContextStartIndex();
                throw new OperatorCompileException(e.getMessage(), Math.max(1, at[0] - SiddhiApps.HEADER_LINES), at[1] + 1);
            }
            throw new OperatorCompileException("the SiddhiQL does not compile: " + e.getMessage(), 0, 0);
        }
        try {
            StreamDefinition results = runtime.getStreamDefinitionMap().get(definition.output().name());
            if (results == null) {
                throw new OperatorCompileException("no query inserts into " + definition.output().name()
                        + ", the output schema's stream", 1, 1);
            }
            for (int c = 0; c < definition.output().size(); c++) {
                String field = definition.output().field(c).name();
                if (results.getAttributeList().stream().map(Attribute::getName).noneMatch(field::equals)) {
                    throw new OperatorCompileException("stream " + results.getId() + " has no attribute '" + field
                            + "' of the output schema " + definition.output(), 1, 1);
                }
            }
        } finally {
            runtime.shutdown();
        }
        if (definition.shards() > 1) {
            List<SourceProblem> unkeyed = KeyPartitioning.problems(SiddhiCompiler.parse(SiddhiApps.of(definition)),
                    definition.input().name(), definition.keyField(), definition.shards());
            if (!unkeyed.isEmpty()) {
                throw new OperatorCompileException(unkeyed);
            }
        }
        return new SiddhiCompiledOperator(definition, manager, Durations.retention(definition.options()));
    }
}
