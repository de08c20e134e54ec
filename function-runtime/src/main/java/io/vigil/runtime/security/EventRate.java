package io.vigil.runtime.security;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A tenant's events per second, shared by all its streams without a lock: the generic cell rate
 * algorithm, one number (when the events taken so far are paid for) moved by compare-and-set.
 * Taking never refuses; it says how long the taker should wait before it takes more.
 */
public final class EventRate {
    private final long nanosPerEvent;
    // A second's worth of events may come at once.
    private final long burstNanos = 1_000_000_000L;
    private final AtomicLong paidUntil = new AtomicLong(System.nanoTime());

    public EventRate(long eventsPerSecond) {
        this.nanosPerEvent = Math.max(1, 1_000_000_000L / eventsPerSecond);
    }

    /** Takes {@code events}; returns the nanoseconds to wait before taking more (0: go on). */
    public long take(int events, long now) {
        long cost = events * nanosPerEvent;
        while (true) {
            long paid = paidUntil.get();
            long next = Math.max(paid, now - burstNanos) + cost;
            if (paidUntil.compareAndSet(paid, next)) {
                return Math.max(0, next - now);
            }
        }
    }
}
