package io.vigil.api.function;

/** Where a function's results go: each one a row of the operator's output schema. */
public interface Results {
    /** Emits one result, its values in the order of the output schema's fields. */
    void emit(Object... values);
}
