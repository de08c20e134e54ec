package io.vigil.runtime;

import java.util.concurrent.ThreadFactory;

/** Threads of the host's own background work, which must not keep a stopping JVM alive. */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    public static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
