package io.vigil.adapter.grpc;

/** A remote process failed a request, ended a session, or answered out of contract. */
public final class RemoteOperatorException extends RuntimeException {
    public RemoteOperatorException(String message) {
        super(message);
    }

    public RemoteOperatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
