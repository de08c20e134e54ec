package io.vigil.examples.fraud.functions;

import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.FraudRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Fraud rules written in Java (the spec names the class and carries the jar), in JavaScript and in
 * SiddhiQL (the spec carries the source), and in Python (a process of its own that the spec names),
 * as Vigil operators.
 */
public final class FraudFunctions {
    private FraudFunctions() {
    }

    public static OperatorSpec spec(String name, Class<?> function, int shards) {
        return FraudRules.spec(name, function.getName(), shards).toBuilder()
                .setLanguage("java")
                .setArtifact(com.google.protobuf.ByteString.copyFrom(jar()))
                .build();
    }

    /** The same rule in JavaScript: {@code small-then-large} or {@code velocity}. */
    public static OperatorSpec javascript(String name, String rule, int shards) {
        return FraudRules.spec(name, resource("/fraud/javascript/" + rule + ".js"), shards).toBuilder().setLanguage("javascript").build();
    }

    /** The same rule in SiddhiQL: {@code small-then-large} or {@code velocity}. */
    public static OperatorSpec siddhi(String name, String rule, int shards) {
        return FraudRules.spec(name, resource("/fraud/siddhi/" + rule + ".siddhi"), shards).toBuilder().setLanguage("siddhi").build();
    }

    /**
     * The same rule in Python, served by {@code fraud/python/fraud_rules.py} at {@code target}:
     * {@code small-then-large} or {@code velocity}.
     */
    public static OperatorSpec python(String name, String rule, String target, int shards) {
        return FraudRules.spec(name, target, shards).toBuilder()
                .setLanguage("grpc")
                .putOptions("function", rule.replace('-', '_'))
                .build();
    }

    /** Starts the process that serves the Python rules on a free port. */
    public static PythonOperatorProcess pythonRules() throws IOException {
        return PythonOperatorProcess.start("/fraud/python/fraud_rules.py");
    }

    private static String resource(String path) {
        try (InputStream in = FraudFunctions.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no rule at " + path);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A jar of this package's functions, built from their class files. */
    public static byte[] jar() {
        return jarOf(SmallThenLarge.class, Velocity.class);
    }

    /** A jar of the class files of {@code types}, as a Java operator's spec carries it. */
    public static byte[] jarOf(Class<?>... types) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            for (Class<?> type : types) {
                String entry = type.getName().replace('.', '/') + ".class";
                try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IllegalStateException(entry + " is not on the class path");
                    }
                    jar.putNextEntry(new JarEntry(entry));
                    in.transferTo(jar);
                    jar.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
