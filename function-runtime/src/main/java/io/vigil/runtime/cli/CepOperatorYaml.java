package io.vigil.runtime.cli;

import io.vigil.api.proto.Field;
import io.vigil.api.proto.FieldType;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads an operator spec written as a {@code CepOperator} resource — the same file the local
 * launcher deploys and {@code kubectl apply} takes:
 *
 * <pre>
 * apiVersion: vigil.io/v1alpha1
 * kind: CepOperator
 * metadata:
 *   name: fraud-rules
 * spec:
 *   language: esper
 *   keyField: cardId
 *   shards: 2
 *   inputSchema:  {name: Txn,   fields: [{name: cardId, type: STRING}, ...]}
 *   outputSchema: {name: Alert, fields: [...]}
 *   options: {retention: 24 hours}
 *   source: |
 *     select ...
 * </pre>
 */
public final class CepOperatorYaml {
    public static final String API_VERSION = "vigil.io/v1alpha1";
    public static final String KIND = "CepOperator";

    private CepOperatorYaml() {
    }

    /**
     * As {@link #parse(String)}; a local file may name its source with {@code spec.sourceFile}, a
     * path relative to the file, instead of {@code spec.source}.
     */
    public static OperatorSpec read(Path file) throws IOException {
        String yaml = Files.readString(file);
        Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        if (document instanceof Map<?, ?> root && root.get("spec") instanceof Map<?, ?> spec
                && spec.get("source") == null && spec.get("sourceFile") != null) {
            Path source = file.toAbsolutePath().getParent().resolve(String.valueOf(spec.get("sourceFile")));
            return parse(yaml).toBuilder().setSource(Files.readString(source)).build();
        }
        return parse(yaml);
    }

    /** @throws IllegalArgumentException naming what is missing or wrong, with its path in the document */
    public static OperatorSpec parse(String yaml) {
        Object document;
        try {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage(), e);
        }
        Map<?, ?> root = map(document, "the document");
        if (!KIND.equals(root.get("kind"))) {
            throw new IllegalArgumentException("kind must be " + KIND + ", not " + root.get("kind"));
        }
        if (!API_VERSION.equals(root.get("apiVersion"))) {
            throw new IllegalArgumentException("apiVersion must be " + API_VERSION + ", not " + root.get("apiVersion"));
        }
        Map<?, ?> metadata = map(root.get("metadata"), "metadata");
        Map<?, ?> spec = map(root.get("spec"), "spec");
        OperatorSpec.Builder operator = OperatorSpec.newBuilder()
                .setName(text(metadata, "name", "metadata.name"))
                .setLanguage(text(spec, "language", "spec.language"))
                .setSource(spec.get("sourceFile") != null && spec.get("source") == null ? "" : text(spec, "source", "spec.source"))
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
