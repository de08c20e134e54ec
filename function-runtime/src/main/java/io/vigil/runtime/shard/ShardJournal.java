package io.vigil.runtime.shard;

import io.vigil.api.codec.SwapReports;
import io.vigil.api.proto.CheckpointEntry;
import io.vigil.api.proto.SwapEntry;
import io.vigil.api.proto.SwapReport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A shard's recent swaps and checkpoints, newest last, for the console: written by the shard's
 * thread at a swap, a restore or a checkpoint (never per event), read by anyone.
 */
public final class ShardJournal {
    static final int KEPT = 64;
    private final int shard;
    private final ArrayDeque<SwapEntry> swaps = new ArrayDeque<>();
    private final ArrayDeque<CheckpointEntry> checkpoints = new ArrayDeque<>();

    ShardJournal(int shard) {
        this.shard = shard;
    }

    synchronized void swapped(SwapReport report) {
        keep(swaps, SwapEntry.newBuilder().setAtMillis(System.currentTimeMillis()).setShard(shard).setReport(report)
                .setDescription(SwapReports.describe(report)).build());
    }

    synchronized void checkpointed(long checkpointId, long version, long pauseNanos, long durableNanos, long stateBytes) {
        keep(checkpoints, checkpoint(checkpointId, version, pauseNanos, durableNanos).setStateBytes(stateBytes).build());
    }

    synchronized void checkpointFailed(long checkpointId, long version, long pauseNanos, long durableNanos, Throwable cause) {
        keep(checkpoints, checkpoint(checkpointId, version, pauseNanos, durableNanos).setFailure(String.valueOf(cause)).build());
    }

    /** Newest first. */
    public synchronized List<SwapEntry> swaps() {
        return newestFirst(swaps);
    }

    /** Newest first. */
    public synchronized List<CheckpointEntry> checkpoints() {
        return newestFirst(checkpoints);
    }

    private CheckpointEntry.Builder checkpoint(long checkpointId, long version, long pauseNanos, long durableNanos) {
        return CheckpointEntry.newBuilder().setAtMillis(System.currentTimeMillis()).setShard(shard).setCheckpointId(checkpointId)
                .setVersion(version).setPauseMicros(pauseNanos / 1000).setDurableMicros(durableNanos / 1000);
    }

    private static <T> void keep(ArrayDeque<T> entries, T entry) {
        if (entries.size() == KEPT) {
            entries.removeFirst();
        }
        entries.addLast(entry);
    }

    private static <T> List<T> newestFirst(ArrayDeque<T> entries) {
        List<T> list = new ArrayList<>(entries.size());
        for (Iterator<T> it = entries.descendingIterator(); it.hasNext(); ) {
            list.add(it.next());
        }
        return list;
    }
}
