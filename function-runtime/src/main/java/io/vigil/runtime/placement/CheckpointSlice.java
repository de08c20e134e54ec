package io.vigil.runtime.placement;

import com.google.protobuf.ByteString;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.keys.RowKeys;
import io.vigil.api.proto.CheckpointRecord;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.WireBuffer;
import io.vigil.runtime.state.StoreLayout;
import io.vigil.runtime.state.StoredCheckpoint;
import java.util.function.Consumer;

/**
 * A stored shard checkpoint restricted to a range of key groups, record by record, as
 * {@code ReadCheckpoint} sends it: logged batches and held events keep only the rows of those key
 * groups (a batch left empty is left out); the rest goes as it is.
 */
final class CheckpointSlice {
    private final RowKeys keys;
    private final int firstKeyGroup;
    private final int endKeyGroup;
    private final BatchDecoder decoder = new BatchDecoder();
    private final ColumnarBatch rows;
    private final ColumnarBatch kept;
    private final WireBuffer encoded = new WireBuffer(1 << 16);

    CheckpointSlice(OperatorDefinition definition, int firstKeyGroup, int endKeyGroup) {
        this.keys = new RowKeys(definition.input(), definition.keyField());
        this.firstKeyGroup = firstKeyGroup;
        this.endKeyGroup = endKeyGroup;
        this.rows = new ColumnarBatch(definition.input(), 1024);
        this.kept = new ColumnarBatch(definition.input(), 1024);
    }

    void read(StoredCheckpoint checkpoint, Consumer<CheckpointRecord> out) throws Exception {
        out.accept(record(CheckpointRecord.Kind.META, checkpoint.meta().toByteString()));
        checkpoint.forEachRecord((tag, first, bytes) -> {
            switch (tag) {
                case StoreLayout.LOGGED_BATCH -> {
                    ByteString sliced = slice(bytes, false);
                    if (sliced != null) {
                        out.accept(record(CheckpointRecord.Kind.LOGGED_BATCH, sliced));
                    }
                }
                case StoreLayout.HELD_EVENTS -> out.accept(record(CheckpointRecord.Kind.HELD_EVENTS, slice(bytes, true)));
                case StoreLayout.LOGGED_ADVANCE -> out.accept(record(CheckpointRecord.Kind.LOGGED_ADVANCE, ByteString.copyFrom(bytes)));
                case StoreLayout.NATIVE_SNAPSHOT -> out.accept(record(CheckpointRecord.Kind.NATIVE_SNAPSHOT, ByteString.copyFrom(bytes)));
                case StoreLayout.NATIVE_INCREMENT -> out.accept(record(CheckpointRecord.Kind.NATIVE_INCREMENT, ByteString.copyFrom(bytes)));
                case StoreLayout.KEPT_RESULTS -> out.accept(record(CheckpointRecord.Kind.KEPT_RESULTS, ByteString.copyFrom(bytes)));
                default -> throw new IllegalStateException("a shard checkpoint holds a record of unknown tag " + tag);
            }
        });
    }

    /** The frame with only the rows of the key groups; null for a logged batch left with none. */
    private ByteString slice(byte[] frame, boolean held) throws Exception {
        rows.clear();
        kept.clear();
        decoder.events(frame, frame.length, rows);
        for (int r = 0; r < rows.rowCount(); r++) {
            int group = keys.keyGroup(rows, r);
            if (group >= firstKeyGroup && group < endKeyGroup) {
                kept.copyRow(rows, r);
            }
        }
        if (kept.isEmpty() && !held) {
            return null;
        }
        BatchEncoder.events(kept, decoder.id(), decoder.hasWatermark(), decoder.watermark(), encoded);
        return ByteString.copyFrom(encoded.array(), 0, encoded.length());
    }

    private static CheckpointRecord record(CheckpointRecord.Kind kind, ByteString payload) {
        return CheckpointRecord.newBuilder().setKind(kind).setPayload(payload).build();
    }
}
