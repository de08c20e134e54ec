package io.vigil.api.spi;

import io.vigil.api.schema.EventSchema;
import java.util.Map;

/**
 * What a language adapter needs to build an operator: its source text in the adapter's language,
 * the schema of the events it receives and of the results it emits, adapter-specific options, and
 * a built artefact where the language needs one (a jar for Java).
 */
public record OperatorDefinition(
        String name,
        String language,
        String source,
        EventSchema input,
        EventSchema output,
        String keyField,
        int shards,
        Map<String, String> options,
        byte[] artifact) {

    public OperatorDefinition {
        options = Map.copyOf(options);
        artifact = artifact == null ? new byte[0] : artifact.clone();
    }

    /** A definition whose source needs no built artefact. */
    public OperatorDefinition(String name, String language, String source, EventSchema input, EventSchema output, String keyField,
                              int shards, Map<String, String> options) {
        this(name, language, source, input, output, keyField, shards, options, new byte[0]);
    }

    @Override
    public byte[] artifact() {
        return artifact.clone();
    }

    // A record compares arrays by identity; definitions are equal when their artefacts' bytes are.
    @Override
    public boolean equals(Object other) {
        return other instanceof OperatorDefinition that && name.equals(that.name) && language.equals(that.language)
                && source.equals(that.source) && input.equals(that.input) && output.equals(that.output)
                && keyField.equals(that.keyField) && shards == that.shards && options.equals(that.options)
                && java.util.Arrays.equals(artifact, that.artifact);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, language, source, input, output, keyField, shards, options) * 31
                + java.util.Arrays.hashCode(artifact);
    }
}
