package io.vigil.api.spi;

/**
 * Something the operator needs to compile is out of reach for now — the process a remote operator
 * runs in, say — though nothing is wrong with the operator itself. The host reports it as
 * unavailable rather than refused, and retries an operator it is restoring from its store.
 */
public final class OperatorUnavailableException extends RuntimeException {
    public OperatorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
