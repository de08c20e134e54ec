package io.vigil.api.schema;

import java.util.Objects;

/** One named, typed field of an event schema. */
public record FieldDef(String name, FieldKind kind, boolean nullable) {
    public FieldDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String toString() {
        return name + " " + kind + (nullable ? "?" : "");
    }
}
