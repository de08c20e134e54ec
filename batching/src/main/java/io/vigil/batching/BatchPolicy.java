package io.vigil.batching;

import java.time.Duration;

/**
 * When a batch closes, so that its size follows the load:
 * <ul>
 *   <li>as soon as it holds {@code maxRows};</li>
 *   <li>when the ring has drained and nothing is in flight: the receiver is idle, so waiting
 *       would only add latency — under light load every event travels at once;</li>
 *   <li>when the ring has drained, something is in flight and the batch has been open for
 *       {@code linger}: under load, events gather while earlier batches are processed, so a
 *       batch holds about what arrives in one round trip, up to {@code maxRows};</li>
 *   <li>when nothing arrives for {@code linger}.</li>
 * </ul>
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

    public boolean closesOnDrain(long openedAtNanos, long nowNanos, boolean nothingInFlight) {
        return nothingInFlight || nowNanos - openedAtNanos >= lingerNanos;
    }
}
