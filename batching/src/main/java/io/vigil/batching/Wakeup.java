package io.vigil.batching;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets one waiting thread sleep until another signals that something it waits for may have changed
 * (a credit arrived, a slot was freed). Waiters re-check their condition after every return, so a
 * signal is never lost and a spurious one is harmless.
 */
public final class Wakeup {
    private volatile Thread waiter;

    public void signal() {
        Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** Parks the calling thread until signalled or the timeout passes; the caller re-checks its condition. */
    public void await(long timeout, TimeUnit unit) {
        waiter = Thread.currentThread();
        LockSupport.parkNanos(this, unit.toNanos(timeout));
        waiter = null;
    }
}
