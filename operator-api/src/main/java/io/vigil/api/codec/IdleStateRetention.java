package io.vigil.api.codec;

import io.vigil.api.spi.Durations;
import java.util.Map;

/**
 * How long a shard keeps the state of a job whose streams have all closed before it reclaims it:
 * the spec option {@code idle-state-retention} (a duration, one hour by default). The job's
 * checkpoints stay in the store, so a restore from one still works after the state is reclaimed;
 * what goes is the state the host holds in memory for a job that may never come back.
 */
public final class IdleStateRetention {
    public static final String OPTION = "idle-state-retention";
    public static final long DEFAULT_MILLIS = 3_600_000;

    private IdleStateRetention() {
    }

    /** @throws IllegalArgumentException when the option is set to something that is not a duration */
    public static long millis(Map<String, String> options) {
        String value = options.get(OPTION);
        if (value == null) {
            return DEFAULT_MILLIS;
        }
        long millis = Durations.millis(value);
        if (millis <= 0) {
            throw new IllegalArgumentException("option " + OPTION + " must be a duration such as '1 hour' or '30 sec', not '"
                    + value + "'");
        }
        return millis;
    }
}
