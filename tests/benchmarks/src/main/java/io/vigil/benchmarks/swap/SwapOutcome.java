package io.vigil.benchmarks.swap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/** What one strategy did to the stream: how often each event was processed, each alert raised, and what each swap cost. */
final class SwapOutcome {
    final String strategy;
    final AtomicIntegerArray seen;
    final AtomicIntegerArray alerts;
    final List<Long> pauseMicros = Collections.synchronizedList(new ArrayList<>());
    final List<Long> callToActiveMicros = Collections.synchronizedList(new ArrayList<>());
    long elapsedNanos;
    /** How the last swap went, as the host describes it (Vigil only). */
    volatile String lastSwap = "";
    int swaps;

    SwapOutcome(String strategy, int events) {
        this.strategy = strategy;
        this.seen = new AtomicIntegerArray(events);
        this.alerts = new AtomicIntegerArray(events);
    }

    void processed(int event) {
        seen.incrementAndGet(event);
    }

    void alert(int event) {
        alerts.incrementAndGet(event);
    }

    long lost() {
        return count(seen, 0, 0);
    }

    long duplicated() {
        return count(seen, 2, Integer.MAX_VALUE);
    }

    /** Alerts the reference raised that this run did not: state the swaps dropped. */
    long alertsMissed(boolean[] reference) {
        long missed = 0;
        for (int i = 0; i < reference.length; i++) {
            if (reference[i] && alerts.get(i) == 0) {
                missed++;
            }
        }
        return missed;
    }

    long alertsDuplicated() {
        return count(alerts, 2, Integer.MAX_VALUE);
    }

    long alertsRaised() {
        return count(alerts, 1, Integer.MAX_VALUE);
    }

    private static long count(AtomicIntegerArray counts, int from, int to) {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            int c = counts.get(i);
            if (c >= from && c <= to) {
                n++;
            }
        }
        return n;
    }
}
