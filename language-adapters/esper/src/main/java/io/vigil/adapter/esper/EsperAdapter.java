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
import io.vigil.api.spi.ForbiddenCalls;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import java.io.IOException;
import io.vigil.api.spi.SourceProblem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Esper EPL operators. The input schema becomes an object-array event type of the same name that
 * the EPL module selects from; every statement without {@code insert into} that selects rows emits
 * them as results, mapped by name onto the output schema. A module of independent statements is
 * compiled part by part ({@link StatementGroups}), so an update recompiles and rebuilds only what
 * it changes.
 */
public final class EsperAdapter implements LanguageAdapter {
    private static final int COMPILED_PARTS_KEPT = 256;

    // Compiled once per input schema: an update that keeps the schema (they all must) skips it.
    private final Map<String, EPCompiled> schemaModules = new ConcurrentHashMap<>();
    // Parts an update leaves as they were, and those a rollback brings back, are not compiled again.
    private final Map<String, CompiledPart> compiledParts = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, CompiledPart> eldest) {
                    return size() > COMPILED_PARTS_KEPT;
                }
            });

    private List<String> allowedClasses = AllowedClasses.DEFAULT;
    private boolean allowInlinedClasses;
    // Compile time grows with a module's statements; 5,000 once took eight minutes.
    private int maxStatements = 256;

    @Override
    public String language() {
        return "esper";
    }

    /**
     * {@code allowClasses}: more classes the EPL may name, comma-separated ({@code package.*} for a
     * package's); {@code allowInlinedClasses}: {@code true} lets {@code create inlined_class}
     * compile Java on the host; {@code maxStatements}: the most statements a module may have (256).
     */
    @Override
    public void configure(Map<String, String> settings) {
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            switch (setting.getKey()) {
                case "allowClasses" -> {
                    List<String> more = new ArrayList<>(AllowedClasses.DEFAULT);
                    more.addAll(List.of(setting.getValue().split(",")));
                    allowedClasses = List.copyOf(more);
                }
                case "allowInlinedClasses" -> allowInlinedClasses = Boolean.parseBoolean(setting.getValue());
                case "maxStatements" -> maxStatements = Integer.parseInt(setting.getValue());
                default -> throw new IllegalArgumentException("language 'esper' takes the host settings allowClasses,"
                        + " allowInlinedClasses and maxStatements, not '" + setting.getKey() + "'");
            }
        }
    }

    @Override
    public CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException {
        EPCompiler compiler = EPCompilerProvider.getCompiler();
        AllowedClasses classes = new AllowedClasses(allowedClasses, EsperAdapter.class.getClassLoader());
        Configuration configuration = EsperConfiguration.create(classes, allowInlinedClasses);
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
        if (module.getItems().size() > maxStatements) {
            throw new OperatorCompileException("the module has " + module.getItems().size() + " statements; at most " + maxStatements
                    + " on this host (--epl-max-statements)", module.getItems().get(maxStatements).getLineNumber(), 1);
        }
        EPCompiled schemaModule = schemaModules.computeIfAbsent(SchemaEpl.createSchema(definition.input()), schemaEpl -> {
            try {
                return compiler.compile(schemaEpl, new CompilerArguments(configuration));
            } catch (EPCompileException e) {
                throw new IllegalStateException("the input schema does not translate to EPL: " + schemaEpl + ": " + e.getMessage(), e);
            }
        });
        CompilerArguments arguments = new CompilerArguments(configuration);
        arguments.getPath().add(schemaModule);
        List<Module> groups = StatementGroups.of(module);
        Set<SourceProblem> problems = new LinkedHashSet<>();
        List<CompiledPart> parts = new ArrayList<>();
        for (Module group : groups) {
            // The host interrupts a compile past its budget: stop at the next statement group.
            if (Thread.currentThread().isInterrupted()) {
                throw new OperatorCompileException("the compile was cancelled: it ran past the host's budget", 0, 0);
            }
            String key = schemaModuleKey(definition) + StatementGroups.text(group);
            CompiledPart part = compiledParts.get(key);
            if (part == null) {
                try {
                    EPCompiled compiled = compiler.compile(group, arguments);
                    List<String> forbidden = ForbiddenCalls.SANDBOX.in(compiled.getClasses().values());
                    if (!forbidden.isEmpty()) {
                        for (String call : forbidden) {
                            String method = call.substring(call.lastIndexOf('.') + 1);
                            problems.add(CompileProblems.atFirst("the EPL calls " + call + ", which operators may not call on this"
                                    + " host (no reflection, class loading, processes, files, network, threads or exit)", source,
                                    List.of(method)));
                        }
                        continue;
                    }
                    OutputStatements outputs = OutputStatements.probe(definition, configuration, schemaModule, compiled, module, source);
                    part = new CompiledPart(key, compiled, outputs, -1);
                } catch (EPCompileException e) {
                    List<String> refused = classes.takeRefused();
                    List<SourceProblem> refusals = new ArrayList<>();
                    for (String name : refused) {
                        refusals.add(CompileProblems.atFirst("class " + name + " is not one EPL may use on this host (allowed: "
                                + classes.describe() + "; the host allows more with --epl-allow-classes)", source,
                                List.of(name, name.substring(name.lastIndexOf('.') + 1))));
                    }
                    refusals.sort(java.util.Comparator.comparingInt(SourceProblem::line).thenComparingInt(SourceProblem::column));
                    problems.addAll(refusals);
                    if (refused.isEmpty()) {
                        problems.addAll(CompileProblems.fromCompile(e, module, source));
                    }
                    continue;
                } catch (OperatorCompileException e) {
                    problems.addAll(e.problems());
                    continue;
                }
            }
            parts.add(part);
        }
        if (!problems.isEmpty()) {
            throw new OperatorCompileException(List.copyOf(problems));
        }
        if (definition.shards() > 1) {
            List<SourceProblem> unkeyed = KeyPartitioning.problems(module, definition.keyField(), definition.shards());
            if (!unkeyed.isEmpty()) {
                throw new OperatorCompileException(unkeyed);
            }
        }
        // The whole module first, so a refusal points at the line in the source as written.
        long horizon = StateHorizon.of(source, definition.options());
        for (int i = 0; i < parts.size(); i++) {
            CompiledPart part = parts.get(i);
            if (part.horizonMillis() < 0) {
                part = new CompiledPart(part.key(), part.module(), part.outputs(),
                        groups.size() == 1 ? horizon : partHorizon(groups.get(i), definition, horizon));
                compiledParts.put(part.key(), part);
                parts.set(i, part);
            }
        }
        return new EsperCompiledOperator(definition, configuration, schemaModule, parts, horizon);
    }

    private static long partHorizon(Module group, OperatorDefinition definition, long moduleHorizon) {
        try {
            return StateHorizon.of(StatementGroups.text(group), definition.options());
        } catch (OperatorCompileException e) {
            return moduleHorizon;
        }
    }

    private static String schemaModuleKey(OperatorDefinition definition) {
        return SchemaEpl.createSchema(definition.input()) + "\n" + definition.output() + "\n" + new TreeMap<>(definition.options()) + "\n";
    }
}
