package io.vigil.adapter.state;

/**
 * An operator's event-time clock as the host drives it: it never goes back, and the end-of-input
 * watermark ({@code Long.MAX_VALUE}) is not a time to move to.
 */
public final class EventClock {
    private long time = Long.MIN_VALUE;

    /** Moves the clock to {@code eventTime} if that is later, unless it is the end of input. */
    public void advanceTo(long eventTime) {
        if (eventTime != Long.MAX_VALUE && eventTime > time) {
            time = eventTime;
        }
    }

    /** Starts a clock that has no time yet at {@code eventTime} (say, the first event's). */
    public void startAt(long eventTime) {
        if (time == Long.MIN_VALUE) {
            time = eventTime;
        }
    }

    /** The time, {@code Long.MIN_VALUE} before there is one. */
    public long time() {
        return time;
    }

    /** Sets the time restored from a snapshot. */
    public void restore(long restored) {
        time = restored;
    }
}
