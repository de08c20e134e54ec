package io.vigil.flink;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the connector's subtasks in this JVM have done for one operator: events sent, results
 * emitted, and the latency of each event from the moment the task handed it to the connector to
 * the moment its round's results were emitted. For local runs (the demo, benchmarks), read in the
 * same JVM. Each subtask's metrics for Flink's reporters are in its operator's metric group
 * ({@code vigil.operator.<name>}: events sent, results received, round-trip latency, events in
 * flight, ring occupancy, back-pressured time, shard streams; see docs/observability.md).
 */
public final class VigilTelemetry {
    private static final ConcurrentMap<String, VigilTelemetry> BY_OPERATOR = new ConcurrentHashMap<>();

    private final LongAdder eventsIn = new LongAdder();
    private final LongAdder resultsOut = new LongAdder();
    private final LongAdder lateEvents = new LongAdder();
    private final Recorder latencyMicros = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final Recorder checkpointPauseMicros = new Recorder(3);
    private final Histogram checkpointPauses = new Histogram(3);
    private final Recorder checkpointDurableMicros = new Recorder(3);
    private final Histogram checkpointDurables = new Histogram(3);
    private final LongAccumulator maxRoundsInFlight = new LongAccumulator(Math::max, 0);
    private final LongAccumulator maxRingBacklog = new LongAccumulator(Math::max, 0);
    private final LongAccumulator maxCheckpointsPending = new LongAccumulator(Math::max, 0);
    private final LongAdder barriersBehindFullRing = new LongAdder();
    private final LongAdder ringFullWaits = new LongAdder();
    private final AtomicLong lastCompletedCheckpoint = new AtomicLong();
    private final LongAdder checkpointsCompleted = new LongAdder();
    private final Recorder cutOverPauseMicros = new Recorder(3);
    private final Histogram cutOverPauses = new Histogram(3);
    private final AtomicLong shardsRoutedTo = new AtomicLong();

    public static VigilTelemetry of(String operator) {
        return BY_OPERATOR.computeIfAbsent(operator, name -> new VigilTelemetry());
    }

    /** Sender thread: events sent to the operator's shards (again, when a restore replays them). */
    public void recordEvents(long count) {
        eventsIn.add(count);
    }

    public void recordResults(long count) {
        resultsOut.add(count);
    }

    /** Task thread: an event that came behind the watermark went to the late-events side output. */
    public void recordLateEvent() {
        lateEvents.increment();
    }

    /** Events the subtasks sent to the late-events side output instead of the operator. */
    public long lateEvents() {
        return lateEvents.sum();
    }

    public void recordLatencyMicros(long micros) {
        latencyMicros.recordValue(Math.max(0, micros));
    }

    /** Sender thread, once per round: rounds sent and not yet emitted, and events waiting in the ring. */
    public void recordBacklog(long roundsInFlight, long ringBacklog) {
        maxRoundsInFlight.accumulate(roundsInFlight);
        maxRingBacklog.accumulate(ringBacklog);
    }

    /** Task thread: an event found the ring full and the task waited for the sender (back-pressure). */
    public void recordRingFullWait() {
        ringFullWaits.increment();
    }

    /** How many times a task waited for room in its ring. */
    public long ringFullWaits() {
        return ringFullWaits.sum();
    }

    /** The most rounds any subtask had in flight at once. */
    public long maxRoundsInFlight() {
        return maxRoundsInFlight.get();
    }

    /** The most events any subtask's ring held at once, as its sender saw it. */
    public long maxRingBacklog() {
        return maxRingBacklog.get();
    }

    /** Task thread: how long one checkpoint held the task in {@code snapshotState} (the barrier handed to the sender, the handles written). */
    public void recordCheckpointPause(long nanos) {
        checkpointPauseMicros.recordValue(Math.max(0, nanos / 1000));
    }

    /** Every checkpoint pause recorded since the last {@link #reset()}, in microseconds. */
    public synchronized Histogram checkpointPauseMicros() {
        checkpointPauses.add(checkpointPauseMicros.getIntervalHistogram());
        return checkpointPauses.copy();
    }

    /** Task thread, at a barrier: how many of the subtask's checkpoints await their shards' acknowledgements, this one included. */
    public void recordCheckpointsPending(int pending) {
        maxCheckpointsPending.accumulate(pending);
    }

    /** The most checkpoints any subtask had waiting for durability at once: above 1, checkpoints overlapped. */
    public long maxCheckpointsPending() {
        return maxCheckpointsPending.get();
    }

    /** Task thread: a barrier found the ring full and went to the sender beside it, without waiting. */
    public void recordBarrierBehindFullRing() {
        barriersBehindFullRing.increment();
    }

    /** Barriers that found the ring full (back-pressure at the checkpoint) since the last {@link #reset()}. */
    public long barriersBehindFullRing() {
        return barriersBehindFullRing.sum();
    }

    /** Checkpoint thread: from the barrier to every shard's acknowledgement that it made the checkpoint durable. */
    public void recordCheckpointDurable(long nanos) {
        checkpointDurableMicros.recordValue(Math.max(0, nanos / 1000));
    }

    /** Every barrier-to-durable time recorded since the last {@link #reset()}, in microseconds. */
    public synchronized Histogram checkpointDurableMicros() {
        checkpointDurables.add(checkpointDurableMicros.getIntervalHistogram());
        return checkpointDurables.copy();
    }

    /**
     * Sender thread, at a live rescale's cut: how long it sent nothing (from the cut's barrier, and
     * any wait for the subtasks to agree on it, to the new placement's streams open), and how many
     * shards it routes to now.
     */
    public void recordCutOver(long pauseNanos, int shards) {
        cutOverPauseMicros.recordValue(Math.max(0, pauseNanos / 1000));
        shardsRoutedTo.set(shards);
    }

    /** Every subtask's pause at a live rescale's cut since the last {@link #reset()}, in microseconds. */
    public synchronized Histogram cutOverPauseMicros() {
        cutOverPauses.add(cutOverPauseMicros.getIntervalHistogram());
        return cutOverPauses.copy();
    }

    /** How many shards the subtasks routed to after the last live rescale; 0 before any. */
    public long shardsAfterLastCutOver() {
        return shardsRoutedTo.get();
    }

    /** Task thread: Flink reported checkpoint {@code checkpointId} complete to a subtask. */
    public void recordCheckpointCompleted(long checkpointId) {
        long last = lastCompletedCheckpoint.get();
        while (checkpointId > last) {
            // Every subtask hears of the same checkpoint; the first to hear counts it.
            if (lastCompletedCheckpoint.compareAndSet(last, checkpointId)) {
                checkpointsCompleted.increment();
                return;
            }
            last = lastCompletedCheckpoint.get();
        }
    }

    /** Checkpoints Flink reported complete since the last {@link #reset()}, each counted once however many subtasks heard of it. */
    public long checkpointsCompleted() {
        return checkpointsCompleted.sum();
    }

    public long eventsIn() {
        return eventsIn.sum();
    }

    public long resultsOut() {
        return resultsOut.sum();
    }

    /** Every latency recorded since the last call to {@link #reset()}. */
    public synchronized Histogram latencyMicros() {
        total.add(latencyMicros.getIntervalHistogram());
        return total.copy();
    }

    public synchronized void reset() {
        latencyMicros.reset();
        total.reset();
        eventsIn.reset();
        resultsOut.reset();
        checkpointPauseMicros.reset();
        checkpointPauses.reset();
        checkpointDurableMicros.reset();
        checkpointDurables.reset();
        maxRoundsInFlight.reset();
        maxRingBacklog.reset();
        maxCheckpointsPending.reset();
        barriersBehindFullRing.reset();
        ringFullWaits.reset();
        lastCompletedCheckpoint.set(0);
        checkpointsCompleted.reset();
        cutOverPauseMicros.reset();
        cutOverPauses.reset();
        shardsRoutedTo.set(0);
    }
}
