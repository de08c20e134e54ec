package io.vigil.adapter.grpc;

import io.grpc.ManagedChannel;
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

    private final RemoteChannels channels = new RemoteChannels();

    @Override
    public String language() {
        return "grpc";
    }

    @Override
    public CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException {
        String target = definition.source().trim();
        if (target.isEmpty() || target.contains("\n")) {
            throw new OperatorCompileException("the source must be the address of the process that serves the operator,"
                    + " such as localhost:50071", 1, 1);
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
