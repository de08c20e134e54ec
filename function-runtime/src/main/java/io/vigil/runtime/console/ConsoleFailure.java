package io.vigil.runtime.console;

import io.grpc.Status;
import io.vigil.api.proto.ConsoleError;
import io.vigil.api.proto.Diagnostic;
import java.util.List;

/** A console request refused or failed: the status the control plane (or the console) answered, as an HTTP error. */
final class ConsoleFailure extends Exception {
    private final Status.Code code;
    private final List<Diagnostic> diagnostics;

    ConsoleFailure(Status.Code code, String message, List<Diagnostic> diagnostics) {
        super(message == null ? code.name() : message, null, false, false);
        this.code = code;
        this.diagnostics = List.copyOf(diagnostics);
    }

    int httpStatus() {
        return switch (code) {
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case INVALID_ARGUMENT -> 400;
            case ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE -> 503;
            case UNIMPLEMENTED -> 405;
            default -> 500;
        };
    }

    ConsoleError toError() {
        return ConsoleError.newBuilder().setCode(code.name()).setMessage(getMessage()).addAllDiagnostics(diagnostics).build();
    }
}
