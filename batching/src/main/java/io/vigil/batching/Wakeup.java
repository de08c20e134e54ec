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
    private volatile boolean signalled;

    public void signal() {
        signalled = true;
        Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** Parks the calling thread until signalled or the timeout passes; the caller re-checks its condition. */
    public void await(long timeout, TimeUnit unit) {
        // Dekker-style: the waiter publishes itself, then looks for a signal; a signaller raises the
        // flag, then looks for a waiter. One of the two always sees the other, so no signal is lost
        // between the caller's check and the park.
        waiter = Thread.currentThread();
        if (!signalled) {
            LockSupport.parkNanos(this, unit.toNanos(timeout));
        }
        waiter = null;
        signalled = false;
    }
}
