package io.vigil.batching;

import java.time.Duration;

/**
 * When a batch closes: as soon as it holds {@code maxRows}; or when the ring has drained and the
 * batch has been open for at least {@code linger}; or when nothing arrives for {@code linger}.
 * A linger of zero closes a batch whenever the ring drains, for the lowest latency.
 */
public record BatchPolicy(int maxRows, long lingerNanos) {

    public BatchPolicy {
        if (maxRows < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, it is " + maxRows);
        }
        if (lingerNanos < 0) {
            throw new IllegalArgumentException("linger must not be negative");
        }
    }

    public static BatchPolicy of(int maxRows, Duration linger) {
        return new BatchPolicy(maxRows, linger.toNanos());
    }

    public boolean isFull(int rows) {
        return rows >= maxRows;
    }

    public boolean closesOnDrain(long openedAtNanos, long nowNanos) {
        return nowNanos - openedAtNanos >= lingerNanos;
    }
}
