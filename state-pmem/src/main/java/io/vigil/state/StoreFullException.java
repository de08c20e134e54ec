package io.vigil.state;

import java.io.IOException;

/** The store cannot take what a checkpoint needs; the checkpoints already committed are untouched. */
public final class StoreFullException extends IOException {
    public StoreFullException(String message) {
        super(message);
    }

    public StoreFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
