package io.vigil.examples.fraud;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Points in the stream where the local demo's source waits until the demo releases it: each
 * planned update must be active before the source passes its hold point, so every version runs on
 * part of the stream however short the stream is. Looked up by name, as the source is serialised
 * into the job; only for jobs in the demo's own JVM.
 */
public final class SourceHolds {
    private static final ConcurrentMap<String, SourceHolds> BY_NAME = new ConcurrentHashMap<>();
    private static final long GIVE_UP_NANOS = TimeUnit.MINUTES.toNanos(2);

    private final long[] holdAt;
    private final AtomicInteger released = new AtomicInteger();
    private final AtomicLong heldNanos = new AtomicLong();

    private SourceHolds(long[] holdAt) {
        this.holdAt = holdAt.clone();
    }

    /** Registers holds at the given event indexes (ascending) under {@code name}. */
    public static SourceHolds register(String name, long... holdAt) {
        SourceHolds holds = new SourceHolds(holdAt);
        BY_NAME.put(name, holds);
        return holds;
    }

    public static void unregister(String name) {
        BY_NAME.remove(name);
    }

    static SourceHolds named(String name) {
        return name == null ? null : BY_NAME.get(name);
    }

    /** The index the source may not pass before the next release; {@code Long.MAX_VALUE} once all are released. */
    long nextHold() {
        int next = released.get();
        return next < holdAt.length ? holdAt[next] : Long.MAX_VALUE;
    }

    /** Source thread: waits until the hold at or before {@code index} is released (or two minutes pass, as if it were). */
    void awaitPast(long index) throws InterruptedException {
        long start = System.nanoTime();
        while (nextHold() <= index && System.nanoTime() - start < GIVE_UP_NANOS) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        heldNanos.addAndGet(System.nanoTime() - start);
    }

    /** Releases the next hold. */
    public void releaseNext() {
        released.incrementAndGet();
    }

    /** Releases every hold, as when the updates failed. */
    public void releaseAll() {
        released.set(holdAt.length);
    }

    /** How long the source has waited at holds. */
    public long heldNanos() {
        return heldNanos.get();
    }
}
