package io.vigil.batching;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Credit-based flow control for one stream: the receiver grants credits, the sender spends one per
 * batch and never sends without one. Thread-safe; any number of granters, one spender.
 */
public final class Credits {
    private final AtomicInteger available = new AtomicInteger();
    private final Wakeup wakeup;

    public Credits(Wakeup wakeup) {
        this.wakeup = wakeup;
    }

    public void grant(int credits) {
        available.addAndGet(credits);
        wakeup.signal();
    }

    public boolean tryAcquire() {
        int current;
        do {
            current = available.get();
            if (current <= 0) {
                return false;
            }
        } while (!available.compareAndSet(current, current - 1));
        return true;
    }

    public int available() {
        return available.get();
    }
}
