package io.vigil.api.schema;

/** The value type of a field. TIMESTAMP is epoch milliseconds held as a long. */
public enum FieldKind {
    BOOLEAN,
    INT,
    LONG,
    DOUBLE,
    STRING,
    TIMESTAMP
}
