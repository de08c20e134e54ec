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
    // Until the host says otherwise, no jar is trusted.
    private TrustedJars trustedJars = new TrustedJars(java.util.List.of(), false);

    @Override
    public String language() {
        return "java";
    }

    /**
     * {@code trustedSigners}: a PEM file of the certificates whose keys (or keys they certified)
     * may sign operator jars; {@code allowUnsigned}: {@code true} runs unsigned jars too.
     */
    @Override
    public void configure(java.util.Map<String, String> settings) {
        for (java.util.Map.Entry<String, String> setting : settings.entrySet()) {
            switch (setting.getKey()) {
                case "trustedSigners" -> trustedJars = trustedJars.withSigners(TrustedJars.readCertificates(Path.of(setting.getValue())));
                case "allowUnsigned" -> trustedJars = trustedJars.allowingUnsigned(Boolean.parseBoolean(setting.getValue()));
                default -> throw new IllegalArgumentException("language 'java' takes the host settings trustedSigners and allowUnsigned,"
                        + " not '" + setting.getKey() + "'");
            }
        }
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
        Path file = keep(definition.name(), jar);
        trustedJars.check(file);
        Class<?> type;
        try {
            type = Class.forName(className, false, loaderFor(file));
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

    private static Path keep(String operator, byte[] jar) {
        try {
            Path file = Files.createTempFile("vigil-" + operator.replace('/', '.') + "-", ".jar");
            Files.write(file, jar);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the jar of operator '" + operator + "'", e);
        }
    }

    private static ClassLoader loaderFor(Path jar) {
        try {
            return new URLClassLoader(new URL[] {jar.toUri().toURL()}, JavaAdapter.class.getClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the jar " + jar, e);
        }
    }
}
