package io.vigil.adapter.esper;

import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;

/** The EPL that declares a Vigil schema as an object-array event type the runtime accepts events for. */
final class SchemaEpl {
    private SchemaEpl() {
    }

    static String createSchema(EventSchema schema) {
        StringBuilder epl = new StringBuilder("@public @buseventtype create objectarray schema ")
                .append(schema.name()).append(" (");
        for (int i = 0; i < schema.size(); i++) {
            FieldDef field = schema.field(i);
            if (i > 0) {
                epl.append(", ");
            }
            epl.append('`').append(field.name()).append("` ").append(eplType(field));
        }
        return epl.append(')').toString();
    }

    private static String eplType(FieldDef field) {
        return switch (field.kind()) {
            case BOOLEAN -> "java.lang.Boolean";
            case INT -> "java.lang.Integer";
            case LONG, TIMESTAMP -> "java.lang.Long";
            case DOUBLE -> "java.lang.Double";
            case STRING -> "string";
        };
    }
}
