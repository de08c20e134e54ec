package io.vigil.runtime.cli;

/**
 * A command-line option's value as a number within a range, or true or false; anything else is an
 * {@link IllegalArgumentException} whose message names the option and the value, which the
 * launcher's commands print as a usage error (exit 2).
 */
public final class OptionValues {
    private OptionValues() {
    }

    /**
     * What {@code parse} reads from a command's arguments; when it refuses them, prints
     * {@code vigil <command>: <why>} and exits with 2, the launcher's usage code.
     */
    public static <T> T orExit(String command, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            System.err.println("vigil " + command + ": " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    /** Hands each {@code --option value} pair of {@code args} to {@code each}, in order; an option with no value is refused, naming it. */
    public static void pairs(String[] args, java.util.function.BiConsumer<String, String> each) {
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            each.accept(args[i], args[i + 1]);
        }
    }

    /** A whole number within [min, max]; {@code _} may group digits. */
    public static long wholeNumber(String option, String value, long min, long max) {
        try {
            long number = Long.parseLong(value.replace("_", ""));
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below, as an out-of-range value is
        }
        throw new IllegalArgumentException("option " + option + " needs a whole number" + range(min, max) + ", not '" + value + "'");
    }

    /** A number within [min, max]; {@code _} may group digits. */
    public static double number(String option, String value, double min, double max) {
        try {
            double number = Double.parseDouble(value.replace("_", ""));
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below, as an out-of-range value is
        }
        throw new IllegalArgumentException("option " + option + " needs a number" + range(min, max) + ", not '" + value + "'");
    }

    /** {@code true} or {@code false}. */
    public static boolean trueOrFalse(String option, String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("option " + option + " needs true or false, not '" + value + "'");
        };
    }

    /** A power of two within [min, max]. */
    public static int powerOfTwo(String option, String value, int min, int max) {
        int number = (int) wholeNumber(option, value, min, max);
        if (Integer.bitCount(number) != 1) {
            throw new IllegalArgumentException("option " + option + " needs a power of two, not '" + value + "'");
        }
        return number;
    }

    private static String range(double min, double max) {
        if (min <= Long.MIN_VALUE) {
            return "";
        }
        return max >= Long.MAX_VALUE ? " of at least " + plain(min) : " from " + plain(min) + " to " + plain(max);
    }

    private static String plain(double number) {
        return number == Math.rint(number) ? String.valueOf((long) number) : String.valueOf(number);
    }
}
