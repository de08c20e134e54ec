package io.vigil.flink;

/** The connector cannot reach, open, or keep talking to the Vigil function it calls. */
public final class VigilConnectorException extends RuntimeException {
    public VigilConnectorException(String message) {
        super(message);
    }

    public VigilConnectorException(String message, Throwable cause) {
        super(message, cause);
    }
}
