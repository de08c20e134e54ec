package io.vigil.runtime.shard;

import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.PlacementChange;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A live rescale as one shard of the placement before sees it. It asks every stream where its
 * client can still cut, and once every open stream has answered, tells them all the highest
 * answer: the checkpoint whose barrier is the last the shard takes for the key groups that move.
 * Every client hears the same checkpoint from every shard, since each answers all its streams
 * alike. Shard thread only.
 */
final class PlacementCutOver {
    private final List<StreamSession> sessions;
    private final CompletableFuture<Void> moved = new CompletableFuture<>();
    private Placement next;
    private long switchAt;

    PlacementCutOver(List<StreamSession> sessions) {
        this.sessions = sessions;
    }

    /** Completes once every stream has gone (to the next placement's shards), the shard then serving none. */
    CompletableFuture<Void> begin(Placement placement) {
        next = placement;
        switchAt = 0;
        for (StreamSession session : sessions) {
            session.send(change());
        }
        streamGone();
        return moved;
    }

    /** A stream went: the rest may all have answered, or none may be left. */
    void streamGone() {
        if (next != null && sessions.isEmpty()) {
            moved.complete(null);
        }
        decideOnceAllAnswered();
    }

    /** A stream opened: during a cut-over it is asked too; after one, the cut is over. */
    void opened(StreamSession session) {
        if (next == null) {
            return;
        }
        if (switchAt != 0) {
            next = null;
            return;
        }
        session.send(change());
    }

    void ready(StreamSession session, long epoch, long nextBarrier) {
        session.readyEpoch = epoch;
        session.readyAt = nextBarrier;
        decideOnceAllAnswered();
    }

    private void decideOnceAllAnswered() {
        if (next == null || switchAt != 0 || sessions.isEmpty()) {
            return;
        }
        long highest = 0;
        for (StreamSession session : sessions) {
            if (session.readyEpoch != next.getEpoch()) {
                return;
            }
            highest = Math.max(highest, session.readyAt);
        }
        switchAt = highest;
        HostFrame decided = change();
        for (StreamSession session : sessions) {
            session.send(decided);
        }
    }

    private HostFrame change() {
        return HostFrame.newBuilder().setPlacementChange(PlacementChange.newBuilder()
                .setEpoch(next.getEpoch()).setSwitchAt(switchAt).setPlacement(next)).build();
    }
}
