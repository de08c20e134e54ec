package io.vigil.runtime.shard;

/**
 * How busy a shard's thread is: the time it spends on tasks, added by that thread, read about once
 * a second by the host, and averaged over about the last ten seconds (exponentially, so a burst
 * fades and a steady load settles).
 */
final class BusyTime {
    // 1 - e^(-1/10): each one-second reading weighs in with a ten-second time constant.
    private static final double WEIGHT = 1 - Math.exp(-0.1);

    private volatile long busyNanos;
    private long lastBusyNanos;
    private long lastSampleNanos;
    private volatile double fraction;

    /** Shard thread only. */
    void add(long nanos) {
        busyNanos += nanos;
    }

    /** One thread (the host's housekeeping). */
    synchronized void sample(long nowNanos) {
        long busy = busyNanos;
        if (lastSampleNanos != 0 && nowNanos > lastSampleNanos) {
            double seconds = (nowNanos - lastSampleNanos) / 1e9;
            double reading = Math.min(1.0, (busy - lastBusyNanos) / (double) (nowNanos - lastSampleNanos));
            double weight = 1 - Math.pow(1 - WEIGHT, seconds);
            fraction += (reading - fraction) * weight;
        }
        lastBusyNanos = busy;
        lastSampleNanos = nowNanos;
    }

    double fraction() {
        return fraction;
    }
}
