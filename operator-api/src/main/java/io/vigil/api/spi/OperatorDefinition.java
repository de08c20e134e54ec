package io.vigil.api.spi;

import io.vigil.api.schema.EventSchema;
import java.util.Map;

/**
 * What a language adapter needs to build an operator: its source text in the adapter's language,
 * the schema of the events it receives and of the results it emits, and adapter-specific options.
 */
public record OperatorDefinition(
        String name,
        String language,
        String source,
        EventSchema input,
        EventSchema output,
        String keyField,
        int shards,
        Map<String, String> options) {

    public OperatorDefinition {
        options = Map.copyOf(options);
    }
}
