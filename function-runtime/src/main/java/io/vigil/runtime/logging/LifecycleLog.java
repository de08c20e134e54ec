package io.vigil.runtime.logging;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per lifecycle event of an operator (deploy, update, undeploy, swap,
 * restore, rescale, checkpoint failure, stream opened, failed or refused), on the
 * {@code io.vigil.lifecycle} logger: {@code event=deploy operator=fraud-rules version=1 ...}, or a
 * JSON object when the host says so ({@code --log-json}). Never on the hot path: each is a rare
 * event, and builds its line when it happens.
 */
public final class LifecycleLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.vigil.lifecycle");
    private static volatile boolean json;

    private LifecycleLog() {
    }

    /** JSON lines from here on, for every host in this JVM (the log's format is the process's). */
    public static void jsonLines(boolean value) {
        json = value;
    }

    public static Event event(String name) {
        return new Event(name);
    }

    /** A lifecycle event being described; {@link #info()}, {@link #warn()} or {@link #error(Throwable)} writes it. */
    public static final class Event {
        private final List<Object[]> fields = new ArrayList<>(8);

        private Event(String name) {
            fields.add(new Object[] {"event", name});
        }

        public Event operator(String name) {
            return with("operator", name);
        }

        public Event shard(int index) {
            return with("shard", (long) index);
        }

        public Event version(long version) {
            return with("version", version);
        }

        /** A string or a whole number; null values are left out. */
        public Event with(String key, Object value) {
            if (value != null) {
                fields.add(new Object[] {key, value instanceof Integer i ? (long) i : value});
            }
            return this;
        }

        public void info() {
            LOG.info("{}", this);
        }

        public void warn() {
            LOG.warn("{}", this);
        }

        public void error(Throwable cause) {
            LOG.error("{}", this, cause);
        }

        @Override
        public String toString() {
            if (json) {
                JsonLine line = new JsonLine();
                for (Object[] field : fields) {
                    if (field[1] instanceof Long number) {
                        line.field((String) field[0], number);
                    } else {
                        line.field((String) field[0], String.valueOf(field[1]));
                    }
                }
                return line.toString();
            }
            StringBuilder text = new StringBuilder(120);
            for (Object[] field : fields) {
                String value = String.valueOf(field[1]);
                text.append(text.length() == 0 ? "" : " ").append(field[0]).append('=');
                if (value.isEmpty() || value.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=')) {
                    text.append('"').append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                } else {
                    text.append(value);
                }
            }
            return text.toString();
        }
    }
}
