package io.vigil.runtime.operator;

import io.vigil.api.codec.SpecProtos;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.OperatorUnavailableException;
import io.vigil.api.spi.ShardContext;
import io.vigil.runtime.DaemonThreads;
import io.vigil.runtime.plugin.LanguagePlugins;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import io.vigil.runtime.metrics.HostMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a spec into running instances through its language's adapter: checks the spec, compiles
 * it and instantiates one instance per shard, each with the class loader of the code it runs.
 */
final class OperatorCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorCompiler.class);

    private final LanguagePlugins languages;
    private final Duration budget;
    private final ExecutorService compiling = Executors.newCachedThreadPool(DaemonThreads.named("vigil-compile"));

    private final HostMetrics metrics;

    /** @param budget how long one compile may take before it is given up and the call refused */
    OperatorCompiler(LanguagePlugins languages, Duration budget, HostMetrics metrics) {
        this.languages = languages;
        this.budget = budget;
        this.metrics = metrics;
    }

    List<String> languages() {
        return languages.languages();
    }

    OperatorDefinition definition(OperatorSpec spec) throws OperatorException {
        OperatorDefinition definition;
        try {
            definition = SpecProtos.toDefinition(spec);
        } catch (IllegalArgumentException e) {
            throw new OperatorException(OperatorException.Reason.INVALID_SPEC, e.getMessage());
        }
        LanguageAdapter adapter;
        try {
            adapter = languages.adapter(definition.language());
        } catch (RuntimeException e) {
            throw new OperatorException(OperatorException.Reason.FAILED, "the " + definition.language()
                    + " plugin could not be loaded for operator '" + definition.name() + "': " + e.getMessage());
        }
        if (adapter == null) {
            throw new OperatorException(OperatorException.Reason.UNKNOWN_LANGUAGE, "unknown language '" + definition.language()
                    + "' for operator '" + definition.name() + "'; this host runs: " + String.join(", ", languages.languages()));
        }
        return definition;
    }

    /**
     * Compiles on a thread of its own, at most for the budget: a compile past it is cancelled (the
     * adapter's thread is interrupted; Esper's adapter stops at its next statement group) and
     * refused with {@code OVER_BUDGET}, and nothing changes.
     */
    CompiledOperator compile(OperatorDefinition definition) throws OperatorException {
        Future<CompiledOperator> compiled = compiling.submit(() -> compileNow(definition));
        try {
            return compiled.get(budget.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            compiled.cancel(true);
            LOG.warn("Operator '{}' did not compile within its budget of {} s; given up", definition.name(), budget.toSeconds());
            throw new OperatorException(OperatorException.Reason.OVER_BUDGET, "operator '" + definition.name() + "' did not compile"
                    + " within the host's budget of " + budget.toSeconds() + " s (vigil host --compile-budget-seconds): nothing"
                    + " changed; split the source, or simplify it");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OperatorException refused) {
                throw refused;
            }
            throw new OperatorException(OperatorException.Reason.FAILED, "the " + definition.language() + " adapter failed to compile"
                    + " operator '" + definition.name() + "': " + e.getCause(), List.of(), e.getCause());
        } catch (InterruptedException e) {
            compiled.cancel(true);
            Thread.currentThread().interrupt();
            throw new OperatorException(OperatorException.Reason.FAILED, "interrupted while compiling operator '" + definition.name() + "'");
        }
    }

    private CompiledOperator compileNow(OperatorDefinition definition) throws OperatorException {
        LanguageAdapter adapter = languages.adapter(definition.language());
        long started = System.nanoTime();
        try {
            CompiledOperator compiled = withClassLoader(adapter.getClass().getClassLoader(), () -> adapter.compile(definition));
            metrics.compiled(definition.language(), System.nanoTime() - started);
            return compiled;
        } catch (OperatorCompileException e) {
            throw new OperatorException(OperatorException.Reason.COMPILE_ERROR, "operator '" + definition.name()
                    + "' does not compile: " + e.getMessage(), e.problems(), e);
        } catch (OperatorUnavailableException e) {
            throw new OperatorException(OperatorException.Reason.UNAVAILABLE, "operator '" + definition.name()
                    + "' cannot be compiled now: " + e.getMessage(), List.of(), e);
        } catch (RuntimeException e) {
            throw new OperatorException(OperatorException.Reason.FAILED, "the " + definition.language()
                    + " adapter failed to compile operator '" + definition.name() + "': " + e, List.of(), e);
        }
    }

    /**
     * One instance per shard this host serves, in a list indexed by shard (null for the shards
     * other hosts serve); with {@code replacing}, each replaces that shard's running instance and
     * may leave out what it can take over from it at the switch.
     */
    static List<OperatorInstance> instantiate(CompiledOperator compiled, OperatorDefinition definition, long version,
                                              IntPredicate servedHere, IntFunction<OperatorInstance> replacing)
            throws OperatorException {
        List<OperatorInstance> instances = new ArrayList<>();
        try {
            return withClassLoader(compiled.getClass().getClassLoader(), () -> {
                for (int s = 0; s < definition.shards(); s++) {
                    ShardContext context = new ShardContext(definition.name(), s, definition.shards(), version);
                    instances.add(!servedHere.test(s) ? null : replacing == null ? compiled.instantiate(context)
                            : compiled.instantiateReplacing(context, replacing.apply(s)));
                }
                return instances;
            });
        } catch (Exception e) {
            closeAll(instances);
            throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + definition.name()
                    + "' compiled but could not start: " + e, List.of(), e);
        }
    }

    /** Closes the instances of a list {@link #instantiate} made. */
    static void closeAll(List<OperatorInstance> instances) {
        for (OperatorInstance instance : instances) {
            if (instance != null) {
                instance.close();
            }
        }
    }

    /** Closes an instance off the shard's thread, with its code's class loader. */
    static void closeQuietly(OperatorInstance instance, CompiledOperator compiled) {
        try {
            withClassLoader(compiled.getClass().getClassLoader(), () -> {
                instance.close();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("Closing a replaced operator instance failed", e);
        }
    }

    interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs {@code work} with {@code loader} as the context class loader: adapters and their operators expect their own. */
    static <T, E extends Exception> T withClassLoader(ClassLoader loader, Work<T, E> work) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return work.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
