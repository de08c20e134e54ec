package io.vigil.adapter.grpc;

import io.grpc.ManagedChannel;
import io.vigil.api.security.NamePatterns;
import io.vigil.api.security.TransportSecurity;
import java.nio.file.Path;
import java.util.regex.Pattern;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.CheckResult;
import io.vigil.api.proto.Diagnostic;
import io.vigil.api.proto.FunctionSpec;
import io.vigil.api.proto.RemoteOperatorGrpc;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.Durations;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorUnavailableException;
import io.vigil.api.spi.SourceProblem;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Operators written in any language, each served by a process of its own over the
 * {@code RemoteOperator} contract of {@code remote.proto}. The spec's source is the process's
 * address ({@code host:port}, or any gRPC target), its option {@code function} the function there.
 * Compiling asks the process whether it runs that function for the spec's schemas and options; a
 * process that cannot be reached makes the operator unavailable, not refused.
 */
public final class RemoteAdapter implements LanguageAdapter {
    public static final String FUNCTION_OPTION = "function";
    /** How long one request to the process may take before the shard gives up on it. */
    public static final String TIMEOUT_OPTION = "timeout";
    private static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

    /** Where a process may be, unless the host says otherwise: this machine. */
    static final String LOOPBACK_TARGETS = "127.0.0.1:*,localhost:*,[::1]:*";

    private RemoteChannels channels = new RemoteChannels(TransportSecurity.plaintext());
    private List<String> allowedTargets = List.of(LOOPBACK_TARGETS.split(","));
    private List<Pattern> allowedPatterns = NamePatterns.of(allowedTargets);

    @Override
    public String language() {
        return "grpc";
    }

    /**
     * {@code allowedTargets}: the addresses a spec may name, comma-separated, {@code *} matching
     * any run of characters ({@code *.operators.svc:50071}); this machine's by default.
     * {@code tlsCa}, {@code tlsCert}, {@code tlsKey}: reach the processes over mutual TLS, trusting
     * that authority and presenting that certificate (PEM files).
     */
    @Override
    public void configure(java.util.Map<String, String> settings) {
        String ca = null;
        String certificate = null;
        String key = null;
        for (java.util.Map.Entry<String, String> setting : settings.entrySet()) {
            switch (setting.getKey()) {
                case "allowedTargets" -> {
                    allowedTargets = java.util.Arrays.stream(setting.getValue().split(",")).map(String::trim)
                            .filter(s -> !s.isEmpty()).toList();
                    allowedPatterns = NamePatterns.of(allowedTargets);
                }
                case "tlsCa" -> ca = setting.getValue();
                case "tlsCert" -> certificate = setting.getValue();
                case "tlsKey" -> key = setting.getValue();
                default -> throw new IllegalArgumentException("language 'grpc' takes the host settings allowedTargets, tlsCa, tlsCert"
                        + " and tlsKey, not '" + setting.getKey() + "'");
            }
        }
        if (ca != null || certificate != null || key != null) {
            if (ca == null || certificate == null || key == null) {
                throw new IllegalArgumentException("TLS to gRPC operator processes needs all three of tlsCa, tlsCert and tlsKey");
            }
            channels = new RemoteChannels(TransportSecurity.tls(Path.of(ca), Path.of(certificate), Path.of(key)));
        }
    }

    @Override
    public CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException {
        String target = definition.source().trim();
        if (target.isEmpty() || target.contains("\n")) {
            throw new OperatorCompileException("the source must be the address of the process that serves the operator,"
                    + " such as localhost:50071", 1, 1);
        }
        if (allowedPatterns.stream().noneMatch(pattern -> pattern.matcher(target).matches())) {
            throw new OperatorCompileException("the process address '" + target + "' is not one this host may reach (allowed: "
                    + String.join(", ", allowedTargets) + "; the host allows more with --grpc-allow-targets)", 1, 1);
        }
        String function = definition.options().getOrDefault(FUNCTION_OPTION, "").trim();
        if (function.isEmpty()) {
            throw new OperatorCompileException("option '" + FUNCTION_OPTION + "' must name the function that the process at "
                    + target + " runs", 0, 0);
        }
        long timeoutMillis = definition.options().containsKey(TIMEOUT_OPTION)
                ? Durations.millis(definition.options().get(TIMEOUT_OPTION)) : DEFAULT_TIMEOUT_MILLIS;
        if (timeoutMillis <= 0) {
            throw new OperatorCompileException("option '" + TIMEOUT_OPTION + "' must be a duration such as '10 sec', not '"
                    + definition.options().get(TIMEOUT_OPTION) + "'", 0, 0);
        }
        RemoteFunction remote = new RemoteFunction(target, channels.channel(target), spec(definition, function), timeoutMillis);
        check(remote);
        return new RemoteCompiledOperator(definition, remote, Durations.retention(definition.options()));
    }

    static FunctionSpec spec(OperatorDefinition definition, String function) {
        return FunctionSpec.newBuilder()
                .setFunction(function)
                .setOperator(definition.name())
                .setInputSchema(SchemaProtos.toProto(definition.input()))
                .setOutputSchema(SchemaProtos.toProto(definition.output()))
                .setKeyField(definition.keyField())
                .putAllOptions(definition.options())
                .build();
    }

    private static void check(RemoteFunction remote) throws OperatorCompileException {
        ManagedChannel channel = remote.channel();
        CheckResult result;
        try {
            result = RemoteOperatorGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(remote.timeoutMillis(), TimeUnit.MILLISECONDS)
                    .check(remote.spec());
        } catch (StatusRuntimeException e) {
            String why = "cannot check function '" + remote.spec().getFunction() + "' with the process at " + remote.target() + ": "
                    + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : " (" + e.getStatus().getDescription() + ")");
            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                throw new OperatorUnavailableException(why, e);
            }
            // Anything else: the process answers, but not as a RemoteOperator should.
            throw new OperatorCompileException(why, 0, 0);
        }
        if (result.getProblemsCount() > 0) {
            List<SourceProblem> problems = result.getProblemsList().stream()
                    .map(RemoteAdapter::problem)
                    .toList();
            throw new OperatorCompileException(problems);
        }
    }

    private static SourceProblem problem(Diagnostic diagnostic) {
        return new SourceProblem(diagnostic.getMessage(), diagnostic.getLine(), diagnostic.getColumn());
    }
}
