package io.vigil.runtime.shard;

import io.vigil.api.codec.SwapReports;
import io.vigil.api.proto.CheckpointEntry;
import io.vigil.api.proto.SwapEntry;
import io.vigil.api.proto.SwapReport;
import java.util.List;

/**
 * A shard's recent swaps and checkpoints, read newest first, for the console: written by the shard's
 * thread at a swap, a restore or a checkpoint (never per event), read by anyone.
 */
public final class ShardJournal {
    static final int KEPT = 64;
    private final int shard;
    private final RecentEntries<SwapEntry> swaps = new RecentEntries<>(KEPT);
    private final RecentEntries<CheckpointEntry> checkpoints = new RecentEntries<>(KEPT);

    ShardJournal(int shard) {
        this.shard = shard;
    }

    void swapped(SwapReport report) {
        swaps.add(SwapEntry.newBuilder().setAtMillis(System.currentTimeMillis()).setShard(shard).setReport(report)
                .setDescription(SwapReports.describe(report)).build());
    }

    void checkpointed(long checkpointId, long version, long pauseNanos, long durableNanos, long stateBytes) {
        checkpoints.add(checkpoint(checkpointId, version, pauseNanos, durableNanos).setStateBytes(stateBytes).build());
    }

    void checkpointFailed(long checkpointId, long version, long pauseNanos, long durableNanos, Throwable cause) {
        checkpoints.add(checkpoint(checkpointId, version, pauseNanos, durableNanos).setFailure(String.valueOf(cause)).build());
    }

    /** Newest first. */
    public List<SwapEntry> swaps() {
        return swaps.newestFirst();
    }

    /** Newest first. */
    public List<CheckpointEntry> checkpoints() {
        return checkpoints.newestFirst();
    }

    private CheckpointEntry.Builder checkpoint(long checkpointId, long version, long pauseNanos, long durableNanos) {
        return CheckpointEntry.newBuilder().setAtMillis(System.currentTimeMillis()).setShard(shard).setCheckpointId(checkpointId)
                .setVersion(version).setPauseMicros(pauseNanos / 1000).setDurableMicros(durableNanos / 1000);
    }
}
