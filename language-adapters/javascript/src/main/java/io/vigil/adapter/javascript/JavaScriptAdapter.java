package io.vigil.adapter.javascript;

import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.Durations;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

/**
 * Operators written in JavaScript, run by GraalJS (in interpreter mode on a stock JDK). The source
 * defines {@code process(event, results)} and, to declare its state, {@code open(context)}; the
 * state is the host's, as for Java operators. One engine serves every operator, so parsed code is
 * shared across shards and versions.
 */
public final class JavaScriptAdapter implements LanguageAdapter {
    private final Engine engine = Engine.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();

    @Override
    public String language() {
        return "javascript";
    }

    @Override
    public CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException {
        Source source = Source.newBuilder("js", definition.source(), definition.name() + ".js").buildLiteral();
        try (Context context = JavaScriptInstance.context(engine)) {
            context.eval(source);
            Value process = context.getBindings("js").getMember("process");
            if (process == null || !process.canExecute()) {
                throw new OperatorCompileException("the source defines no function process(event, results)", 1, 1);
            }
        } catch (PolyglotException e) {
            SourceSection at = e.getSourceLocation();
            throw new OperatorCompileException(e.getMessage(), at == null ? 0 : at.getStartLine(), at == null ? 0 : at.getStartColumn());
        }
        return new JavaScriptCompiledOperator(definition, engine, source, Durations.retention(definition.options()));
    }
}
