package io.vigil.runtime.shard;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * When one version of an operator keeps failing its shard, the shard stops taking streams for it:
 * each new stream would restore, replay to the same event and fail again (a job restarting into
 * it for ever). Past {@code failures} failures within {@code window} the version is refused until
 * it is updated, rolled back or undeployed. Only the shard's thread uses it.
 */
final class CrashLoop {
    private final int failures;
    private final long windowNanos;
    private final Deque<Long> failedAt = new ArrayDeque<>();
    private long version = -1;
    private String lastFailure;

    CrashLoop(int failures, long windowNanos) {
        this.failures = failures;
        this.windowNanos = windowNanos;
    }

    void failed(long atVersion, long now, String failure) {
        if (atVersion != version) {
            failedAt.clear();
            version = atVersion;
        }
        failedAt.addLast(now);
        lastFailure = failure;
        while (failedAt.size() > failures) {
            failedAt.removeFirst();
        }
    }

    /** Why a stream may not open at {@code atVersion}; null when it may. */
    String refusal(long atVersion, long now) {
        if (atVersion != version || failedAt.size() < failures || now - failedAt.peekFirst() > windowNanos) {
            return null;
        }
        return "version " + version + " failed this shard " + failures + " times within " + windowNanos / 60_000_000_000L
                + " minutes (last: " + lastFailure + "); it takes no more streams until it is updated, rolled back or undeployed";
    }
}
