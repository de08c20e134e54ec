package io.vigil.api.client;

import io.grpc.Status;
import io.vigil.api.proto.Diagnostic;
import java.util.List;

/** The host refused a control-plane request; {@link #diagnostics()} locates problems in the source. */
public final class OperatorRejectedException extends RuntimeException {
    private final Status.Code code;
    private final List<Diagnostic> diagnostics;

    public OperatorRejectedException(Status.Code code, String message, List<Diagnostic> diagnostics, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.diagnostics = List.copyOf(diagnostics);
    }

    public Status.Code code() {
        return code;
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
