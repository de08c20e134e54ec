package io.vigil.flink.internal;

import io.vigil.api.schema.EventSchema;
import io.vigil.batching.Wakeup;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A fixed ring of reusable rounds: at most {@code size} rounds are in flight between the sender
 * and the emitting mailbox thread, which bounds the connector's memory.
 */
final class RoundWindow {
    private final Round[] rounds;
    private final int mask;
    private final Wakeup senderWakeup;
    private volatile long nextToEmit;

    /** @param firstId the id of the first round (rounds go on numbering across a live rescale's cut) */
    RoundWindow(int size, EventSchema input, int shards, int batchCapacity, Wakeup senderWakeup, long firstId) {
        this.nextToEmit = firstId;
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("rounds in flight must be a power of two, not " + size);
        }
        this.rounds = new Round[size];
        for (int i = 0; i < size; i++) {
            rounds[i] = new Round(input, shards, batchCapacity);
        }
        this.mask = size - 1;
        this.senderWakeup = senderWakeup;
    }

    /** Sender: waits until the slot for {@code id} has been emitted, then hands it out empty. */
    Round open(long id, BooleanSupplier abort) {
        while (id - nextToEmit >= rounds.length) {
            if (abort.getAsBoolean()) {
                return null;
            }
            senderWakeup.await(1, TimeUnit.MILLISECONDS);
        }
        Round round = rounds[(int) (id & mask)];
        round.reset(id, System.nanoTime());
        return round;
    }

    /** Rounds before {@code id} not yet emitted. */
    long inFlightBefore(long id) {
        return id - nextToEmit;
    }

    /** Mailbox thread: the last round emitted (0 before the first). */
    long emittedThrough() {
        return nextToEmit - 1;
    }

    /** Sender: true when every round before {@code id} has been answered and emitted. */
    boolean allEmittedBefore(long id) {
        return nextToEmit >= id;
    }

    /** Network thread: the round an answer with this batch id belongs to, or null if none is in flight. */
    Round inFlight(long id) {
        Round round = rounds[(int) (id & mask)];
        return round.id == id && id >= nextToEmit ? round : null;
    }

    /** Mailbox thread: the oldest round, if every answer for it has arrived. */
    Round readyHead() {
        Round round = rounds[(int) (nextToEmit & mask)];
        return round.id == nextToEmit && round.pending.get() == 0 ? round : null;
    }

    /** Mailbox thread: the head round has been emitted; its slot may be reused. */
    void release() {
        nextToEmit++;
        senderWakeup.signal();
    }
}
