package io.vigil.api.spi;

/**
 * What an instance took over from the one it replaces, as it ran: {@code count} {@code unit}
 * (statement groups, keys, bytes of a session's state), of {@code of} in all (0 when the unit has
 * no total).
 */
public record TakenOver(String unit, long count, long of) {
    public static final TakenOver NOTHING = new TakenOver("", 0, 0);

    public boolean isNothing() {
        return count == 0;
    }
}
