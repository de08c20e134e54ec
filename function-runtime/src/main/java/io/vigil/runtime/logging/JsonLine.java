package io.vigil.runtime.logging;

/** One JSON object on one line, written field by field: what the audit log and the lifecycle log print. */
public final class JsonLine {
    private final StringBuilder line = new StringBuilder(160).append('{');

    public JsonLine field(String name, String value) {
        if (value == null) {
            return this;
        }
        name(name).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < 0x20) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
        return this;
    }

    public JsonLine field(String name, long value) {
        name(name).append(value);
        return this;
    }

    private StringBuilder name(String name) {
        if (line.length() > 1) {
            line.append(',');
        }
        return line.append('"').append(name).append("\":");
    }

    @Override
    public String toString() {
        return line + "}";
    }
}
