package io.vigil.api.wire;

import io.vigil.api.schema.FieldKind;

/** Field numbers of {@code Column} in {@code dataplane.proto}. */
final class Columns {
    static final int BOOLS = 1;
    static final int INTS = 2;
    static final int LONGS = 3;
    static final int DOUBLES = 4;
    static final int STRINGS = 5;
    static final int NULLS = 6;

    private Columns() {
    }

    static int valueField(FieldKind kind) {
        return switch (kind) {
            case BOOLEAN -> BOOLS;
            case INT -> INTS;
            case LONG, TIMESTAMP -> LONGS;
            case DOUBLE -> DOUBLES;
            case STRING -> STRINGS;
        };
    }

    static String kindOf(int field) {
        return switch (field) {
            case BOOLS -> "BOOLEAN";
            case INTS -> "INT";
            case LONGS -> "LONG";
            case DOUBLES -> "DOUBLE";
            case STRINGS -> "STRING";
            default -> "field " + field;
        };
    }
}
