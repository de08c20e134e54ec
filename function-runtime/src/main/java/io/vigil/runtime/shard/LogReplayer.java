package io.vigil.runtime.shard;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.runtime.state.ShardState;

/**
 * Replays logged batches and clock advances into an instance, discarding what it emits; and, on
 * a restore, brings back the events the checkpoint held for the watermark.
 */
final class LogReplayer implements ShardState.Replayer {
    private final OperatorInstance target;
    private final EventTimeBuffer buffer;
    private final BatchDecoder decoder = new BatchDecoder();
    private final ColumnarBatch input;
    private final ColumnarBatch discarded;
    private long batches;

    /** @param buffer where a checkpoint's held events go back to, or null when replaying only the log */
    LogReplayer(OperatorInstance target, OperatorDefinition definition, EventTimeBuffer buffer) {
        this.target = target;
        this.buffer = buffer;
        this.input = new ColumnarBatch(definition.input(), 1024);
        this.discarded = new ColumnarBatch(definition.output(), 64);
    }

    @Override
    public long batch(byte[] frame) throws Exception {
        return batch(frame, frame.length);
    }

    /** Processes the frame in the first {@code length} bytes of {@code frame}; returns its newest event time. */
    long batch(byte[] frame, int length) throws Exception {
        input.clear();
        discarded.clear();
        decoder.events(frame, length, input);
        target.process(input, discarded);
        batches++;
        long newest = Long.MIN_VALUE;
        for (int r = 0; r < input.rowCount(); r++) {
            newest = Math.max(newest, input.timestamp(r));
        }
        return newest;
    }

    @Override
    public void advance(long eventTime, long sequence) {
        discarded.clear();
        target.advanceTime(eventTime, sequence, discarded);
    }

    @Override
    public void held(byte[] frame) throws Exception {
        if (buffer == null) {
            return;
        }
        input.clear();
        decoder.events(frame, frame.length, input);
        buffer.restore(input, decoder.watermark());
    }

    long batches() {
        return batches;
    }
}
