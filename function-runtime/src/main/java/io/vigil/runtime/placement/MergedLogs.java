package io.vigil.runtime.placement;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.proto.CheckpointRecord;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.WireBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The input logs of several shards, each restricted to the key groups one new shard takes, merged
 * into one log in event-time order: what that shard's operator would have seen had it owned those
 * key groups all along. Each log is in order already (a shard logs what its watermark released,
 * in timestamp order, and its clock advances); rows at a time go before a clock advance to it, as
 * a shard releases them before it moves its clock; an advance no later than one already given is
 * dropped, since every shard moved its clock with the same watermarks.
 */
public final class MergedLogs {
    /** Receives the merged log: batches as encoded frames, and clock advances. */
    public interface Sink {
        void batch(byte[] frame, int length, long newestEventTime) throws Exception;

        void advance(long eventTime, long sequence) throws Exception;
    }

    private static final int ROWS_PER_BATCH = 1024;
    private final EventSchema input;
    private final List<Cursor> logs = new ArrayList<>();

    public MergedLogs(EventSchema input) {
        this.input = input;
    }

    /** Adds the logged batches and clock advances of one shard's checkpoint records, in their order. */
    public void add(List<CheckpointRecord> records) {
        List<CheckpointRecord> log = new ArrayList<>();
        for (CheckpointRecord record : records) {
            if (record.getKind() == CheckpointRecord.Kind.LOGGED_BATCH || record.getKind() == CheckpointRecord.Kind.LOGGED_ADVANCE) {
                log.add(record);
            }
        }
        logs.add(new Cursor(log, new ColumnarBatch(input, ROWS_PER_BATCH)));
    }

    public void replay(Sink sink) throws Exception {
        BatchDecoder decoder = new BatchDecoder();
        ColumnarBatch out = new ColumnarBatch(input, ROWS_PER_BATCH);
        WireBuffer encoded = new WireBuffer(1 << 16);
        long lastAdvance = Long.MIN_VALUE;
        for (Cursor log : logs) {
            log.settle(decoder);
        }
        while (true) {
            Cursor next = null;
            for (Cursor log : logs) {
                if (!log.done() && (next == null || log.before(next))) {
                    next = log;
                }
            }
            if (next == null) {
                break;
            }
            if (next.onAdvance()) {
                flush(out, encoded, sink);
                if (next.advanceTime() > lastAdvance) {
                    lastAdvance = next.advanceTime();
                    sink.advance(next.advanceTime(), next.advanceSequence());
                }
                next.step(decoder);
                continue;
            }
            out.copyRow(next.rows, next.row);
            if (out.rowCount() == ROWS_PER_BATCH) {
                flush(out, encoded, sink);
            }
            next.row++;
            next.settle(decoder);
        }
        flush(out, encoded, sink);
    }

    private static void flush(ColumnarBatch out, WireBuffer encoded, Sink sink) throws Exception {
        if (out.isEmpty()) {
            return;
        }
        BatchEncoder.events(out, 0, false, 0, encoded);
        sink.batch(encoded.array(), encoded.length(), out.timestamp(out.rowCount() - 1));
        out.clear();
    }

    /** One log's position: a row of its current batch, or a clock advance. */
    private static final class Cursor {
        private final List<CheckpointRecord> records;
        private final ColumnarBatch rows;
        private int record = -1;
        private int row;
        private long advanceTime;
        private long advanceSequence;
        private boolean onAdvance;

        Cursor(List<CheckpointRecord> records, ColumnarBatch rows) {
            this.records = records;
            this.rows = rows;
        }

        boolean done() {
            return record >= records.size();
        }

        boolean onAdvance() {
            return onAdvance;
        }

        long advanceTime() {
            return advanceTime;
        }

        long advanceSequence() {
            return advanceSequence;
        }

        long time() {
            return onAdvance ? advanceTime : rows.timestamp(row);
        }

        /** Comes before {@code other}: earlier, or a row at the time of an advance. */
        boolean before(Cursor other) {
            long mine = time();
            long theirs = other.time();
            return mine < theirs || mine == theirs && !onAdvance && other.onAdvance;
        }

        /** Moves to the next record. */
        void step(BatchDecoder decoder) throws Exception {
            onAdvance = false;
            row = rows.rowCount();
            settle(decoder);
        }

        /** Past the rows of the current batch, moves on to the next record that has something to give. */
        void settle(BatchDecoder decoder) throws Exception {
            while (!onAdvance && row >= rows.rowCount()) {
                record++;
                if (done()) {
                    return;
                }
                CheckpointRecord next = records.get(record);
                if (next.getKind() == CheckpointRecord.Kind.LOGGED_ADVANCE) {
                    ByteBuffer advance = next.getPayload().asReadOnlyByteBuffer();
                    advanceTime = advance.getLong();
                    advanceSequence = advance.getLong();
                    onAdvance = true;
                    rows.clear();
                    row = 0;
                } else {
                    byte[] frame = next.getPayload().toByteArray();
                    rows.clear();
                    decoder.events(frame, frame.length, rows);
                    row = 0;
                }
            }
        }
    }
}
