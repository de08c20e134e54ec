package io.vigil.api.codec;

import io.vigil.api.proto.OperatorSpec;
import java.util.Map;

/**
 * What a spec may hold at most, checked before anything compiles: a spec past a limit is refused
 * with an error naming the limit, and an error never repeats more of a name than the limit allows
 * (a name of thousands of characters echoed into every message once broke a client's headers).
 */
public final class SpecLimits {
    /** Each part of an operator name ({@code tenant/name}), as a Kubernetes label value is bounded. */
    public static final int NAME_CHARACTERS = 63;
    /** A whole operator name: both parts and the slash. */
    public static final int QUALIFIED_NAME_CHARACTERS = 2 * NAME_CHARACTERS + 1;
    public static final int SOURCE_BYTES = 1 << 20;
    public static final int OPTIONS = 64;
    public static final int OPTION_NAME_CHARACTERS = 63;
    public static final int OPTION_VALUE_CHARACTERS = 4096;
    public static final int SCHEMA_FIELDS = 256;

    private SpecLimits() {
    }

    /** @throws IllegalArgumentException naming the limit the spec passes */
    static void check(OperatorSpec spec) {
        String name = spec.getName();
        if (name.length() > QUALIFIED_NAME_CHARACTERS) {
            throw new IllegalArgumentException("operator name '" + shown(name) + "' is " + name.length() + " characters long; at most "
                    + QUALIFIED_NAME_CHARACTERS + " ('tenant/name', " + NAME_CHARACTERS + " each)");
        }
        int sourceBytes = spec.getSourceBytes().size();
        if (sourceBytes > SOURCE_BYTES) {
            throw new IllegalArgumentException("the source of operator '" + name + "' is " + sourceBytes + " bytes; at most "
                    + SOURCE_BYTES + " (1 MiB)");
        }
        Map<String, String> options = spec.getOptionsMap();
        if (options.size() > OPTIONS) {
            throw new IllegalArgumentException("operator '" + name + "' has " + options.size() + " options; at most " + OPTIONS);
        }
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (option.getKey().length() > OPTION_NAME_CHARACTERS) {
                throw new IllegalArgumentException("an option name of operator '" + name + "' ('" + shown(option.getKey()) + "') is "
                        + option.getKey().length() + " characters long; at most " + OPTION_NAME_CHARACTERS);
            }
            if (option.getValue().length() > OPTION_VALUE_CHARACTERS) {
                throw new IllegalArgumentException("option '" + option.getKey() + "' of operator '" + name + "' is "
                        + option.getValue().length() + " characters long; at most " + OPTION_VALUE_CHARACTERS);
            }
        }
        for (var schema : new io.vigil.api.proto.Schema[] {spec.getInputSchema(), spec.getOutputSchema()}) {
            if (schema.getFieldsCount() > SCHEMA_FIELDS) {
                throw new IllegalArgumentException("schema '" + shown(schema.getName()) + "' of operator '" + name + "' has "
                        + schema.getFieldsCount() + " fields; at most " + SCHEMA_FIELDS);
            }
        }
    }

    /** At most the name limit of {@code text}, so an error about a long one stays short. */
    static String shown(String text) {
        return text.length() <= NAME_CHARACTERS ? text : text.substring(0, NAME_CHARACTERS) + "…";
    }
}
