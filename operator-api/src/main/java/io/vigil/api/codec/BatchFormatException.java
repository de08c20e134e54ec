package io.vigil.api.codec;

/** A batch on the wire does not match the schema it claims to follow. */
public final class BatchFormatException extends Exception {
    public BatchFormatException(String message) {
        super(message);
    }
}
