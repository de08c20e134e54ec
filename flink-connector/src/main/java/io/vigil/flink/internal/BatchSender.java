package io.vigil.flink.internal;

import com.lmax.disruptor.EventHandler;
import io.vigil.flink.VigilTelemetry;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.wire.BatchEncoder;
import java.time.Duration;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import io.vigil.batching.BatchPolicy;
import io.vigil.batching.Wakeup;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The sender thread: drains the ring into rounds (one batch per shard), closes a round when the
 * batch policy says so or when a watermark or flush arrives, and sends its batches within the
 * credits each shard stream has. Waiting for credits or for a free round stops the ring from
 * draining, which back-pressures the Flink task.
 */
public final class BatchSender implements EventHandler<EventSlot> {
    private final InputMapping<?> mapping;
    private ShardStreams streams;
    private RoundWindow window;
    private final BatchPolicy policy;
    private final Wakeup wakeup;
    private final Runnable scheduleEmit;
    private final BooleanSupplier stopped;
    private final WireBuffer wire = new WireBuffer(64 << 10);
    private final VigilTelemetry telemetry;
    private final LongSupplier published;
    private final PendingBarriers pendingBarriers;
    private final LiveRescale rescale;
    private final PlacementFollower follower;
    private final Duration rescaleTimeout;
    // Fault injection for tests only, inert unless armed when the sender starts:
    // -Dvigil.fault.sender-fails-at-round=N throws on the sender thread as round N closes.
    private final long failAtRound = Long.getLong("vigil.fault.sender-fails-at-round", 0);
    private Round current;
    private long nextRoundId = 1;
    private long lastWatermarkSent = Long.MIN_VALUE;
    private final BooleanSupplier waitingForRound = this::waitingForRound;

    /** The operator's side of a live rescale's cut: the round window and result buffers for the next placement. */
    interface PlacementFollower {
        RoundWindow follow(ShardStreams next, long firstRoundId);
    }

    BatchSender(InputMapping<?> mapping, ShardStreams streams, RoundWindow window, BatchPolicy policy, Wakeup wakeup,
                Runnable scheduleEmit, BooleanSupplier stopped, VigilTelemetry telemetry, LongSupplier published,
                PendingBarriers pendingBarriers, LiveRescale rescale, PlacementFollower follower, Duration rescaleTimeout) {
        this.rescaleTimeout = rescaleTimeout;
        this.pendingBarriers = pendingBarriers;
        this.rescale = rescale;
        this.follower = follower;
        this.telemetry = telemetry;
        this.published = published;
        this.mapping = mapping;
        this.streams = streams;
        this.window = window;
        this.policy = policy;
        this.wakeup = wakeup;
        this.scheduleEmit = scheduleEmit;
        this.stopped = stopped;
    }

    @Override
    public void onEvent(EventSlot slot, long sequence, boolean endOfBatch) {
        if (stopped.getAsBoolean()) {
            return;
        }
        sendDueBarriers(sequence - 1);
        answerRescaleIfAsked();
        switch (slot.kind) {
            case EventSlot.EVENT -> {
                Round round = openRound();
                if (round == null) {
                    return;
                }
                mapping.append(slot, round.batches[KeyGroups.shardOf(slot.keyGroup, round.batches.length)]);
                if (slot.arrivalTime) {
                    round.arrivalWatermark = Math.max(round.arrivalWatermark, slot.timestamp - 1);
                }
                round.recordPublish(slot.publishNanos);
                round.lastRingSequence = sequence;
                if (policy.isFull(round.rows)) {
                    close();
                    return;
                }
            }
            case EventSlot.WATERMARK, EventSlot.FLUSH -> {
                Round round = openRound();
                if (round == null) {
                    return;
                }
                if (slot.kind == EventSlot.WATERMARK) {
                    round.hasWatermark = true;
                    round.watermark = slot.timestamp;
                }
                round.lastRingSequence = sequence;
                close();
                return;
            }
            case EventSlot.BARRIER -> sendBarrier(slot.timestamp, slot.emittedThrough);
            case EventSlot.CHECKPOINT_COMPLETE -> sendCheckpointComplete(slot.timestamp);
            default -> {
                if (current != null) {
                    current.lastRingSequence = sequence;
                }
            }
        }
        if (endOfBatch) {
            sendDueBarriers(sequence);
        }
        if (endOfBatch && current != null
                && policy.closesOnDrain(current.openedAtNanos, System.nanoTime(), window.allEmittedBefore(current.id))) {
            close();
        }
    }

    private void sendDueBarriers(long handledThrough) {
        PendingBarriers.Barrier due;
        while ((due = pendingBarriers.due(handledThrough)) != null) {
            if (due.completed()) {
                sendCheckpointComplete(due.checkpointId());
            } else {
                sendBarrier(due.checkpointId(), due.emittedThrough());
            }
        }
    }

    private void sendCheckpointComplete(long checkpointId) {
        for (int s = 0; s < streams.shards(); s++) {
            streams.sendCheckpointComplete(s, checkpointId);
        }
    }

    /**
     * After the rounds holding every event before it: the open round closes first. During a live
     * rescale, a barrier at or after where this subtask said it could cut waits until the shards
     * have agreed where every subtask cuts; the cut's barrier is the last sent to the placement before.
     */
    private void sendBarrier(long checkpointId, long emittedThrough) {
        if (current != null && current.rows > 0) {
            close();
        }
        answerRescaleIfAsked();
        long held = System.nanoTime();
        LiveRescale.AtBarrier action;
        while ((action = rescale.atBarrier(checkpointId)) == LiveRescale.AtBarrier.HOLD) {
            if (!awaitRescale(held, "the shards to agree on the checkpoint to cut over at")) {
                return;
            }
        }
        for (int s = 0; s < streams.shards(); s++) {
            streams.sendBarrier(s, checkpointId, emittedThrough);
        }
        if (action == LiveRescale.AtBarrier.SEND_AND_SWITCH) {
            cutOver(checkpointId, held);
        }
    }

    private void answerRescaleIfAsked() {
        long readyAt = rescale.answerIfAsked();
        if (readyAt != 0) {
            streams.sendPlacementReady(rescale.epoch(), readyAt);
        }
    }

    /**
     * Moves to the next placement once every shard has made the cut's checkpoint durable and every
     * round before it has been emitted: the slots after the barrier go to the new shards.
     */
    private void cutOver(long checkpointId, long pausedSince) {
        long cut = System.nanoTime();
        while (!window.allEmittedBefore(nextRoundId) || !rescale.acknowledgedByAll(streams.shards())) {
            if (!awaitRescale(cut, "checkpoint " + checkpointId + ", the cut, to be durable on every shard")) {
                return;
            }
        }
        try {
            streams = streams.cutOver(rescale.next(), checkpointId);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable state handle at checkpoint " + checkpointId, e);
        }
        window = follower.follow(streams, nextRoundId);
        rescale.switched(streams.placement().getEpoch());
        telemetry.recordCutOver(System.nanoTime() - pausedSince, streams.shards());
        if (lastWatermarkSent != Long.MIN_VALUE) {
            // The new shards release nothing until each stream has sent them a watermark.
            Round round = openRound();
            if (round != null) {
                round.hasWatermark = true;
                round.watermark = lastWatermarkSent;
                close();
            }
        }
    }

    /** False when the sender stops; fails the rescale (and the task) when it has waited longer than the timeout. */
    private boolean awaitRescale(long since, String what) {
        if (stopped.getAsBoolean()) {
            return false;
        }
        if (System.nanoTime() - since > rescaleTimeout.toNanos()) {
            throw new IllegalStateException("a live rescale to placement epoch " + rescale.epoch() + " waited longer than "
                    + rescaleTimeout + " for " + what);
        }
        wakeup.await(1, TimeUnit.MILLISECONDS);
        return true;
    }

    @Override
    public void onTimeout(long sequence) {
        if (current != null && current.rows > 0 && !stopped.getAsBoolean()) {
            close();
        }
    }

    private Round openRound() {
        if (current == null) {
            current = window.open(nextRoundId, waitingForRound);
        }
        return current;
    }

    /**
     * While every round is in flight: a shard may hold this subtask's answers until another subtask
     * sends a barrier that waits for this one's answer to a live rescale, so it answers meanwhile.
     */
    private boolean waitingForRound() {
        answerRescaleIfAsked();
        return stopped.getAsBoolean();
    }

    private void close() {
        Round round = current;
        current = null;
        nextRoundId++;
        if (round.id == failAtRound) {
            throw new IllegalStateException("injected sender fault at round " + round.id);
        }
        telemetry.recordBacklog(window.inFlightBefore(round.id) + 1, published.getAsLong() - round.lastRingSequence);
        boolean carriesWatermark = round.hasWatermark || round.arrivalWatermark != Long.MIN_VALUE;
        long watermark = round.hasWatermark ? Math.max(round.watermark, round.arrivalWatermark) : round.arrivalWatermark;
        if (carriesWatermark) {
            lastWatermarkSent = Math.max(lastWatermarkSent, watermark);
        }
        int targets = 0;
        for (int s = 0; s < round.batches.length; s++) {
            if (carriesWatermark || !round.batches[s].isEmpty()) {
                targets++;
            }
        }
        round.pending.addAndGet(targets);
        for (int s = 0; s < round.batches.length; s++) {
            if (!carriesWatermark && round.batches[s].isEmpty()) {
                continue;
            }
            if (!awaitCredit(s)) {
                return;
            }
            BatchEncoder.events(round.batches[s], round.id, carriesWatermark, watermark, wire);
            streams.send(s, Frame.of(wire));
        }
        telemetry.recordEvents(round.rows);
        if (round.pending.decrementAndGet() == 0) {
            scheduleEmit.run();
        }
    }

    private boolean awaitCredit(int shard) {
        while (!streams.tryAcquireCredit(shard)) {
            if (stopped.getAsBoolean()) {
                return false;
            }
            answerRescaleIfAsked();
            wakeup.await(1, TimeUnit.MILLISECONDS);
        }
        return true;
    }
}
