package io.vigil.flink.internal;

import io.vigil.api.proto.Placement;
import io.vigil.api.proto.PlacementChange;
import java.util.BitSet;

/**
 * A live rescale as one subtask takes part in it (see {@code PlacementChange} in dataplane.proto).
 * Network threads record what the shards say; the sender answers, holds barriers and switches;
 * the task thread asks before naming a checkpoint's handles whether it can yet. The cut is the
 * first barrier at or after the agreed checkpoint: it and everything before it belong to the
 * placement before. Touched at those points only, never per event, so a monitor guards it.
 */
final class LiveRescale {
    enum AtBarrier { SEND, HOLD, SEND_AND_SWITCH }

    private long routedEpoch;
    // The placement being moved to; null when none is.
    private Placement next;
    // The first checkpoint this subtask can cut at, as answered; 0 before it answers.
    private long readyAt;
    // The checkpoint every subtask cuts at; 0 until the shards have decided.
    private long switchAt;
    // The barrier this subtask cuts after; 0 before it sends it.
    private long cutAt;
    private final BitSet acknowledged = new BitSet();
    private long lastPublished;
    // Set when the shards ask and the sender has not answered: read before every slot, so the sender takes the monitor only then.
    private volatile boolean asked;

    LiveRescale(long routedEpoch) {
        this.routedEpoch = routedEpoch;
    }

    /** Network thread: a shard's message; true when the sender has something to do. */
    synchronized boolean onChange(PlacementChange change) {
        if (change.getEpoch() <= routedEpoch) {
            return false;
        }
        if (next == null || change.getEpoch() > next.getEpoch()) {
            next = change.getPlacement();
            readyAt = 0;
            switchAt = 0;
            cutAt = 0;
            acknowledged.clear();
            asked = true;
        }
        if (change.getEpoch() == next.getEpoch() && change.getSwitchAt() != 0) {
            switchAt = change.getSwitchAt();
        }
        return true;
    }

    /** Sender, before every slot: the first checkpoint it can cut at, once, when asked; 0 otherwise. */
    long answerIfAsked() {
        return asked ? answer() : 0;
    }

    private synchronized long answer() {
        asked = false;
        if (next == null || readyAt != 0) {
            return 0;
        }
        readyAt = lastPublished + 1;
        return readyAt;
    }

    synchronized long epoch() {
        return next == null ? routedEpoch : next.getEpoch();
    }

    /** Sender, at a barrier it is about to send. */
    synchronized AtBarrier atBarrier(long checkpointId) {
        if (next == null || readyAt == 0 || checkpointId < readyAt) {
            return AtBarrier.SEND;
        }
        if (switchAt == 0) {
            return AtBarrier.HOLD;
        }
        if (checkpointId < switchAt) {
            return AtBarrier.SEND;
        }
        cutAt = checkpointId;
        return AtBarrier.SEND_AND_SWITCH;
    }

    /**
     * Task thread, before it names checkpoint {@code checkpointId}'s handles and publishes its
     * barrier: false while it cannot tell whether the barrier falls after the cut (wait and ask
     * again). A barrier at or before the cut names the shards before; one after it, the new ones.
     */
    synchronized boolean mayPublish(long checkpointId) {
        boolean pastWhereItCouldCut = next != null && readyAt != 0 && lastPublished >= readyAt;
        if (pastWhereItCouldCut && (switchAt == 0 || lastPublished >= switchAt)) {
            return false;
        }
        lastPublished = Math.max(lastPublished, checkpointId);
        return true;
    }

    /** Network thread: a shard of the placement before made the cut's checkpoint durable. */
    synchronized void acknowledged(int shard, long checkpointId) {
        if (cutAt != 0 && checkpointId == cutAt) {
            acknowledged.set(shard);
        }
    }

    synchronized boolean acknowledgedByAll(int shards) {
        return acknowledged.cardinality() >= shards;
    }

    synchronized Placement next() {
        return next;
    }

    /** Sender: the subtask now routes by {@code epoch}. */
    synchronized void switched(long epoch) {
        routedEpoch = epoch;
        next = null;
        readyAt = 0;
        switchAt = 0;
        cutAt = 0;
        acknowledged.clear();
    }
}
