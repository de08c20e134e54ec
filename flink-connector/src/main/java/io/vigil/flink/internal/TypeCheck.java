package io.vigil.flink.internal;

import io.vigil.api.schema.FieldDef;

/** Which Java property types carry which schema field kinds. */
final class TypeCheck {
    private TypeCheck() {
    }

    static void require(Class<?> owner, PojoProperty property, FieldDef field) {
        Class<?> type = property.type();
        boolean fits = switch (field.kind()) {
            case BOOLEAN -> type == boolean.class || type == Boolean.class;
            case INT -> type == int.class || type == Integer.class;
            case LONG, TIMESTAMP -> type == long.class || type == Long.class;
            case DOUBLE -> type == double.class || type == Double.class;
            case STRING -> type == String.class;
        };
        if (!fits) {
            throw new IllegalArgumentException(owner.getName() + "." + property.name() + " is " + type.getSimpleName()
                    + " but the operator's schema declares field '" + field.name() + "' " + field.kind());
        }
    }
}
