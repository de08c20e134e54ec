package io.vigil.runtime.shard;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/**
 * The answers a stream was sent since its last barrier's {@code emitted_through}: the client may not
 * have passed them on, so the next checkpoint keeps those it names as not passed on. A queue of
 * reused buffers that grows only when an answer outgrows its slot or the queue is full.
 * Shard thread only.
 */
final class UnpassedAnswers {
    /** More than this many bytes of answers between two barriers fails the stream: checkpoints are too far apart. */
    static final long MOST_BYTES = 256L << 20;

    private final boolean keeps;
    private long[] batchIds = new long[16];
    private byte[][] frames = new byte[16][];
    private int[] lengths = new int[16];
    private int head;
    private int size;
    private long bytes;

    UnpassedAnswers(boolean keeps) {
        this.keeps = keeps;
    }

    boolean keeps() {
        return keeps;
    }

    /** False when the answers kept since the last barrier would exceed {@link #MOST_BYTES}. */
    boolean record(long batchId, byte[] frame, int length) {
        if (!keeps) {
            return true;
        }
        if (bytes + length > MOST_BYTES) {
            return false;
        }
        if (size == batchIds.length) {
            grow();
        }
        int slot = (head + size) % batchIds.length;
        if (frames[slot] == null || frames[slot].length < length) {
            frames[slot] = new byte[Math.max(length, 1024)];
        }
        System.arraycopy(frame, 0, frames[slot], 0, length);
        lengths[slot] = length;
        batchIds[slot] = batchId;
        size++;
        bytes += length;
        return true;
    }

    /**
     * At a barrier: forgets the answers to batches up to {@code emittedThrough}, which the client
     * passed on before it, and returns copies of the rest, oldest first.
     */
    List<ByteString> passedThrough(long emittedThrough) {
        while (size > 0 && batchIds[head] <= emittedThrough) {
            bytes -= lengths[head];
            head = (head + 1) % batchIds.length;
            size--;
        }
        List<ByteString> unpassed = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % batchIds.length;
            unpassed.add(ByteString.copyFrom(frames[slot], 0, lengths[slot]));
        }
        return unpassed;
    }

    private void grow() {
        int capacity = batchIds.length * 2;
        long[] ids = new long[capacity];
        byte[][] copies = new byte[capacity][];
        int[] sizes = new int[capacity];
        for (int i = 0; i < batchIds.length; i++) {
            int slot = (head + i) % batchIds.length;
            ids[i] = batchIds[slot];
            copies[i] = frames[slot];
            sizes[i] = lengths[slot];
        }
        batchIds = ids;
        frames = copies;
        lengths = sizes;
        head = 0;
    }
}
