package io.vigil.runtime.shard;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.runtime.state.ShardState;

/** Replays logged batches and clock advances into an instance, discarding what it emits. */
final class LogReplayer implements ShardState.Replayer {
    private final OperatorInstance target;
    private final BatchDecoder decoder = new BatchDecoder();
    private final ColumnarBatch input;
    private final ColumnarBatch discarded;
    private long batches;

    LogReplayer(OperatorInstance target, OperatorDefinition definition) {
        this.target = target;
        this.input = new ColumnarBatch(definition.input(), 1024);
        this.discarded = new ColumnarBatch(definition.output(), 64);
    }

    @Override
    public long batch(byte[] frame) throws Exception {
        input.clear();
        discarded.clear();
        decoder.events(frame, frame.length, input);
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

    long batches() {
        return batches;
    }
}
