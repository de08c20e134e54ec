package io.vigil.api.codec;

import io.vigil.api.proto.Field;
import io.vigil.api.proto.FieldType;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.Schema;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code spec} of a {@code CepOperator} resource, read as a mapping, as an {@link OperatorSpec}:
 * the one translation the local launcher's YAML files and the Kubernetes operator share.
 *
 * <pre>
 * spec:
 *   language: esper
 *   keyField: cardId
 *   shards: 2
 *   inputSchema:  {name: Txn,   fields: [{name: cardId, type: STRING}, ...]}
 *   outputSchema: {name: Alert, fields: [...]}
 *   statePolicy: replay          # or fresh: how an update carries state
 *   options: {retention: 24 hours}
 *   source: |
 *     select ...
 * </pre>
 */
public final class CepOperatorResource {
    public static final String API_VERSION = "vigil.io/v1alpha1";
    public static final String KIND = "CepOperator";
    private CepOperatorResource() {
    }

    /**
     * @param source the operator's source when it comes from elsewhere (a file, a ConfigMap); null
     *               to take {@code spec.source}
     * @throws IllegalArgumentException naming what is missing or wrong, with its path in the resource
     */
    public static OperatorSpec toOperatorSpec(String name, Map<?, ?> spec, String source) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("metadata.name is missing");
        }
        OperatorSpec.Builder operator = OperatorSpec.newBuilder()
                .setName(name)
                .setLanguage(text(spec, "language", "spec.language"))
                .setSource(source != null ? source : text(spec, "source", "spec.source"))
                .setKeyField(text(spec, "keyField", "spec.keyField"))
                .setInputSchema(schema(spec.get("inputSchema"), "spec.inputSchema"))
                .setOutputSchema(schema(spec.get("outputSchema"), "spec.outputSchema"));
        Object shards = spec.get("shards");
        if (shards != null) {
            if (!(shards instanceof Integer count)) {
                throw new IllegalArgumentException("spec.shards must be a whole number, not " + shards);
            }
            operator.setShards(count);
        }
        Object options = spec.get("options");
        if (options != null) {
            map(options, "spec.options").forEach((key, value) -> operator.putOptions(String.valueOf(key), String.valueOf(value)));
        }
        Object statePolicy = spec.get("statePolicy");
        if (statePolicy != null) {
            operator.putOptions(SwapStatePolicy.OPTION, SwapStatePolicy.parse(String.valueOf(statePolicy), "spec.statePolicy").value());
        }
        return operator.build();
    }

    private static Schema schema(Object value, String path) {
        Map<?, ?> schema = map(value, path);
        Schema.Builder built = Schema.newBuilder().setName(text(schema, "name", path + ".name"));
        Object fields = schema.get("fields");
        if (!(fields instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(path + ".fields must be a non-empty list");
        }
        for (int i = 0; i < list.size(); i++) {
            String at = path + ".fields[" + i + "]";
            Map<?, ?> field = map(list.get(i), at);
            String type = text(field, "type", at + ".type").toUpperCase(Locale.ROOT);
            FieldType fieldType;
            try {
                fieldType = FieldType.valueOf(type);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ".type must be one of BOOLEAN, INT, LONG, DOUBLE, STRING, TIMESTAMP, not "
                        + field.get("type"));
            }
            built.addFields(Field.newBuilder().setName(text(field, "name", at + ".name")).setType(fieldType)
                    .setNullable(Boolean.TRUE.equals(field.get("nullable"))));
        }
        return built.build();
    }

    private static Map<?, ?> map(Object value, String path) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(path + " must be a mapping");
        }
        return map;
    }

    private static String text(Map<?, ?> map, String key, String path) {
        Object value = map.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            throw new IllegalArgumentException(path + " is missing");
        }
        return String.valueOf(value);
    }
}
