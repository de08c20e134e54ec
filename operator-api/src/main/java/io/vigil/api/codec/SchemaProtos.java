package io.vigil.api.codec;

import io.vigil.api.proto.Field;
import io.vigil.api.proto.FieldType;
import io.vigil.api.proto.Schema;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;
import io.vigil.api.schema.FieldKind;
import java.util.ArrayList;
import java.util.List;

/** Converts schemas between the wire form and the Java form. */
public final class SchemaProtos {
    private SchemaProtos() {
    }

    public static Schema toProto(EventSchema schema) {
        Schema.Builder builder = Schema.newBuilder().setName(schema.name());
        for (FieldDef field : schema.fields()) {
            builder.addFields(Field.newBuilder()
                    .setName(field.name())
                    .setType(FieldType.valueOf(field.kind().name()))
                    .setNullable(field.nullable()));
        }
        return builder.build();
    }

    /** @throws IllegalArgumentException naming the problem when the schema is not usable. */
    public static EventSchema fromProto(Schema schema) {
        List<FieldDef> fields = new ArrayList<>(schema.getFieldsCount());
        for (Field field : schema.getFieldsList()) {
            if (field.getType() == FieldType.FIELD_TYPE_UNSPECIFIED || field.getType() == FieldType.UNRECOGNIZED) {
                throw new IllegalArgumentException("field '" + field.getName() + "' of schema '" + schema.getName() + "' has no type");
            }
            fields.add(new FieldDef(field.getName(), FieldKind.valueOf(field.getType().name()), field.getNullable()));
        }
        return new EventSchema(schema.getName(), fields);
    }
}
