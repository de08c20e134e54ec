package io.vigil.api.codec;

import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.spi.OperatorDefinition;

/** Turns a control-plane spec into the definition a language adapter compiles. */
public final class SpecProtos {
    private SpecProtos() {
    }

    /** @throws IllegalArgumentException naming the first problem in the spec */
    public static OperatorDefinition toDefinition(OperatorSpec spec) {
        if (spec.getName().isBlank()) {
            throw new IllegalArgumentException("the spec has no name");
        }
        SpecLimits.check(spec);
        OperatorNames.check(spec.getName());
        if (spec.getLanguage().isBlank()) {
            throw new IllegalArgumentException("operator '" + spec.getName() + "' names no language");
        }
        LateEventsPolicy.of(spec);
        IdleStateRetention.millis(spec.getOptionsMap());
        if (!spec.hasInputSchema()) {
            throw new IllegalArgumentException("operator '" + spec.getName() + "' has no input schema");
        }
        if (!spec.hasOutputSchema()) {
            throw new IllegalArgumentException("operator '" + spec.getName() + "' has no output schema");
        }
        var input = SchemaProtos.fromProto(spec.getInputSchema());
        var output = SchemaProtos.fromProto(spec.getOutputSchema());
        int keyIndex = input.indexOf(spec.getKeyField());
        if (keyIndex < 0) {
            throw new IllegalArgumentException("key field '" + spec.getKeyField() + "' is not a field of input schema " + input);
        }
        switch (input.field(keyIndex).kind()) {
            case STRING, LONG, INT -> { }
            default -> throw new IllegalArgumentException("key field '" + spec.getKeyField()
                    + "' must be STRING, LONG or INT, it is " + input.field(keyIndex).kind());
        }
        if (input.field(keyIndex).nullable()) {
            throw new IllegalArgumentException("key field '" + spec.getKeyField() + "' must not be nullable");
        }
        int shards = shards(spec);
        if (shards < 1 || shards > io.vigil.api.keys.KeyGroups.COUNT) {
            throw new IllegalArgumentException("shards must be between 1 and " + io.vigil.api.keys.KeyGroups.COUNT + ", it is " + spec.getShards());
        }
        return new OperatorDefinition(spec.getName(), spec.getLanguage(), spec.getSource(), input, output,
                spec.getKeyField(), shards, spec.getOptionsMap(), spec.getArtifact().toByteArray());
    }

    /** The shards the spec asks for: 1 when it does not say. */
    public static int shards(OperatorSpec spec) {
        return spec.getShards() == 0 ? 1 : spec.getShards();
    }
}
