package io.vigil.runtime.shard;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest answers a stream was sent, as encoded frames, so a checkpoint can keep those its client
 * had not yet passed on. A ring of reused buffers: recording copies into a slot and allocates only
 * when an answer outgrows it. Shard thread only.
 */
final class RecentAnswers {
    /** No client is trusted to make the shard keep more than this many answers per stream. */
    static final int MOST = 1024;

    private final long[] batchIds;
    private final byte[][] frames;
    private final int[] lengths;
    private long recorded;

    RecentAnswers(int window) {
        int size = Math.min(window, MOST);
        batchIds = new long[size];
        frames = new byte[size][];
        lengths = new int[size];
    }

    boolean keepsAny() {
        return batchIds.length > 0;
    }

    void record(long batchId, byte[] frame, int length) {
        if (batchIds.length == 0) {
            return;
        }
        int slot = (int) (recorded % batchIds.length);
        if (frames[slot] == null || frames[slot].length < length) {
            frames[slot] = new byte[Math.max(length, 1024)];
        }
        System.arraycopy(frame, 0, frames[slot], 0, length);
        lengths[slot] = length;
        batchIds[slot] = batchId;
        recorded++;
    }

    /** The answers to batches after {@code emittedThrough}, oldest first. */
    List<ByteString> after(long emittedThrough) {
        List<ByteString> kept = new ArrayList<>();
        long first = Math.max(0, recorded - batchIds.length);
        for (long i = first; i < recorded; i++) {
            int slot = (int) (i % batchIds.length);
            if (batchIds[slot] > emittedThrough) {
                kept.add(ByteString.copyFrom(frames[slot], 0, lengths[slot]));
            }
        }
        return kept;
    }
}
