package io.vigil.adapter.esper;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.module.Module;
import com.espertech.esper.common.client.module.ParseException;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompiler;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import java.io.IOException;

/**
 * Esper EPL operators. The input schema becomes an object-array event type of the same name that
 * the EPL module selects from; every statement without {@code insert into} that selects rows emits
 * them as results, mapped by name onto the output schema.
 */
public final class EsperAdapter implements LanguageAdapter {

    @Override
    public String language() {
        return "esper";
    }

    @Override
    public CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException {
        EPCompiler compiler = EPCompilerProvider.getCompiler();
        Configuration configuration = EsperConfiguration.create();
        String source = definition.source();
        if (source.isBlank()) {
            throw new OperatorCompileException("the EPL source is empty", 1, 1);
        }
        Module module;
        try {
            module = compiler.parseModule(source);
        } catch (ParseException | IOException e) {
            throw new OperatorCompileException(CompileProblems.fromParse(e, source));
        }
        EPCompiled schemaModule;
        String schemaEpl = SchemaEpl.createSchema(definition.input());
        try {
            schemaModule = compiler.compile(schemaEpl, new CompilerArguments(configuration));
        } catch (EPCompileException e) {
            throw new IllegalStateException("the input schema does not translate to EPL: " + schemaEpl + ": " + e.getMessage(), e);
        }
        EPCompiled userModule;
        try {
            CompilerArguments arguments = new CompilerArguments(configuration);
            arguments.getPath().add(schemaModule);
            userModule = compiler.compile(module, arguments);
        } catch (EPCompileException e) {
            throw new OperatorCompileException(CompileProblems.fromCompile(e, module, source));
        }
        OutputStatements outputs = OutputStatements.probe(definition, configuration, schemaModule, userModule, module, source);
        long horizon = StateHorizon.of(source, definition.options());
        return new EsperCompiledOperator(definition, configuration, schemaModule, userModule, outputs, horizon);
    }
}
