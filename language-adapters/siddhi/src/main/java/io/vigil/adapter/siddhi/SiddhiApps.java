package io.vigil.adapter.siddhi;

import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;
import io.vigil.api.spi.OperatorDefinition;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A SiddhiQL operator as a Siddhi app: a name, playback mode (time follows the events' own
 * timestamps), the input stream defined from the input schema, then the operator's source, which
 * inserts its results into a stream named like the output schema.
 */
final class SiddhiApps {
    /** Lines this adds before the operator's source; a problem's line in the app less these is its line in the source. */
    static final int HEADER_LINES = 3;
    private static final AtomicLong APPS = new AtomicLong();

    private SiddhiApps() {
    }

    static String of(OperatorDefinition definition) {
        return "@app:name('vigil-" + definition.name() + "-" + APPS.incrementAndGet() + "')\n"
                + "@app:playback\n"
                + define(definition.input()) + "\n"
                + definition.source();
    }

    private static String define(EventSchema schema) {
        StringBuilder stream = new StringBuilder("define stream ").append(schema.name()).append(" (");
        for (int i = 0; i < schema.size(); i++) {
            FieldDef field = schema.field(i);
            stream.append(i == 0 ? "" : ", ").append(field.name()).append(' ').append(switch (field.kind()) {
                case STRING -> "string";
                case DOUBLE -> "double";
                case LONG, TIMESTAMP -> "long";
                case INT -> "int";
                case BOOLEAN -> "bool";
            });
        }
        return stream.append(");").toString();
    }
}
