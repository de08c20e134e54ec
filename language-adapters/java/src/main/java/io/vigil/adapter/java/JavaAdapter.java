package io.vigil.adapter.java;

import io.vigil.api.function.KeyedFunction;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.Durations;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Operators written in Java: the spec's source names a {@link KeyedFunction} class, and its
 * artefact is the jar that holds it. Each version's jar gets a class loader of its own, under this
 * plugin's, so versions of one class live side by side during a swap.
 */
public final class JavaAdapter implements LanguageAdapter {

    @Override
    public String language() {
        return "java";
    }

    @Override
    public CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException {
        String className = definition.source().trim();
        if (className.isEmpty()) {
            throw new OperatorCompileException("the source must name the operator's class, such as com.example.MyFunction", 1, 1);
        }
        byte[] jar = definition.artifact();
        if (jar.length == 0) {
            throw new OperatorCompileException("a Java operator needs its jar as the spec's artifact", 1, 1);
        }
        Class<?> type;
        try {
            type = Class.forName(className, false, loaderFor(definition.name(), jar));
        } catch (ClassNotFoundException | LinkageError e) {
            throw new OperatorCompileException("class " + className + " is not in the operator's jar (" + e + ")", 1, 1);
        }
        if (!KeyedFunction.class.isAssignableFrom(type)) {
            throw new OperatorCompileException("class " + className + " does not implement " + KeyedFunction.class.getName(), 1, 1);
        }
        try {
            type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new OperatorCompileException("class " + className + " has no public constructor without arguments", 1, 1);
        }
        return new JavaCompiledOperator(definition, type.asSubclass(KeyedFunction.class), Durations.retention(definition.options()));
    }

    private ClassLoader loaderFor(String operator, byte[] jar) {
        try {
            Path file = Files.createTempFile("vigil-" + operator + "-", ".jar");
            Files.write(file, jar);
            file.toFile().deleteOnExit();
            return new URLClassLoader(new URL[] {file.toUri().toURL()}, JavaAdapter.class.getClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the jar of operator '" + operator + "'", e);
        }
    }
}
