package io.vigil.runtime.shard;

import io.vigil.api.proto.SwapReport;
import io.vigil.api.proto.TakeOver;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.TakenOver;

/**
 * Switches a shard to a new version at a batch boundary, on the shard's thread: feeds the new
 * instance what was logged since it caught up off the hot path, lets it take over what it shares
 * with the old one, makes it the running instance, and reports how state was carried.
 */
final class VersionSwitch {
    private final ActiveVersion active;
    private final ShardCheckpoints checkpoints;

    VersionSwitch(ActiveVersion active, ShardCheckpoints checkpoints) {
        this.active = active;
        this.checkpoints = checkpoints;
    }

    /** The outcome of a switch: its report, and the instance replaced, for the caller to close off the shard's thread. */
    record Switched(SwapReport report, OperatorInstance replaced) {
    }

    /**
     * Makes the request's instance the running one. Throws (the old version still running, the
     * new instance closed) when the new one cannot catch up or take over.
     */
    Switched apply(SwapRequest request, long eventsProcessed) throws Exception {
        OperatorInstance next = request.next();
        long start = System.nanoTime();
        long caughtUp = 0;
        TakenOver takenOver = TakenOver.NOTHING;
        long fromVersion = active.number();
        try {
            if (request.carry() && request.replayedThrough() >= 0) {
                caughtUp = checkpoints.replayRestInto(next, request.replayedThrough());
            }
            if (request.carry()) {
                takenOver = next.takeOver(active.instance());
            }
        } catch (Exception e) {
            next.close();
            throw e;
        }
        if (!request.carry()) {
            checkpoints.forgetLog();
        }
        OperatorInstance replaced = active.replace(next, request.nextVersion());
        return new Switched(request.preparation().toBuilder()
                .setCause(SwapReport.Cause.UPDATE)
                .setVersion(request.nextVersion().version())
                .setFromVersion(fromVersion)
                .setStateCarried(request.carry())
                .setTakenOver(TakeOver.newBuilder().setUnit(takenOver.unit()).setCount(takenOver.count()).setOf(takenOver.of()))
                .setReplayed(request.carry() && request.replayedThrough() >= 0)
                .setBatchesReplayedAtSwitch(caughtUp)
                .setPauseMicros((System.nanoTime() - start) / 1000)
                .setEventsBefore(eventsProcessed)
                .build(), replaced);
    }
}
