package io.vigil.api.spi;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as specs and EPL write them: {@code 24 hours}, {@code 1 min 30 sec}, {@code 500 msec}. */
public final class Durations {
    /** The spec option that says how much input history rebuilds an operator's state. */
    public static final String RETENTION_OPTION = "retention";

    private static final Pattern AMOUNT = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)\\s*(milliseconds?|msec|seconds?|sec|minutes?|min|hours?|days?)", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /** Milliseconds; 0 when {@code duration} names none. */
    public static long millis(String duration) {
        Matcher amount = AMOUNT.matcher(duration);
        double total = 0;
        while (amount.find()) {
            double value = Double.parseDouble(amount.group(1));
            String unit = amount.group(2).toLowerCase(Locale.ROOT);
            total += value * (unit.startsWith("d") ? 86_400_000d : unit.startsWith("h") ? 3_600_000d
                    : unit.startsWith("mil") || unit.startsWith("ms") ? 1d : unit.startsWith("min") ? 60_000d : 1_000d);
        }
        return (long) total;
    }

    /** The {@code retention} option in milliseconds, 0 when the spec does not set it. */
    public static long retention(java.util.Map<String, String> options) throws OperatorCompileException {
        String retention = options.get(RETENTION_OPTION);
        if (retention == null) {
            return 0;
        }
        long millis = millis(retention);
        if (millis <= 0) {
            throw new OperatorCompileException("option '" + RETENTION_OPTION + "' must be a duration such as '24 hours', not '"
                    + retention + "'", 0, 0);
        }
        return millis;
    }
}
