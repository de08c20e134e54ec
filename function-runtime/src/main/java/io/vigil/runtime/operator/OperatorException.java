package io.vigil.runtime.operator;

import io.vigil.api.spi.SourceProblem;
import java.util.List;

/** A control-plane request cannot be carried out; {@link #reason} says which kind of failure it is. */
public final class OperatorException extends Exception {
    public enum Reason { INVALID_SPEC, UNKNOWN_LANGUAGE, COMPILE_ERROR, ALREADY_EXISTS, NOT_FOUND, INCOMPATIBLE_UPDATE, UNAVAILABLE, FAILED,
        /** The work would cost more than the host allows (a compile past its budget). */
        OVER_BUDGET }

    private final Reason reason;
    private final List<SourceProblem> problems;

    public OperatorException(Reason reason, String message) {
        this(reason, message, List.of(), null);
    }

    public OperatorException(Reason reason, String message, List<SourceProblem> problems, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.problems = List.copyOf(problems);
    }

    public Reason reason() {
        return reason;
    }

    public List<SourceProblem> problems() {
        return problems;
    }
}
