package io.vigil.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.Column;
import io.vigil.api.proto.EventBatch;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.ResultBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.WireBuffer;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    static final EventSchema ALL_TYPES = EventSchema.builder("All")
            .field("b", FieldKind.BOOLEAN)
            .field("i", FieldKind.INT)
            .field("l", FieldKind.LONG)
            .field("d", FieldKind.DOUBLE)
            .field("s", FieldKind.STRING)
            .field("t", FieldKind.TIMESTAMP)
            .nullableField("n", FieldKind.STRING)
            .nullableField("m", FieldKind.LONG)
            .build();

    final BatchDecoder decoder = new BatchDecoder();

    static ColumnarBatch sample(int rows) {
        ColumnarBatch batch = new ColumnarBatch(ALL_TYPES, 1);
        for (int r = 0; r < rows; r++) {
            int row = batch.addRow(1_000L + r - 500, 500L + r);
            batch.setBoolean(0, row, r % 2 == 0);
            batch.setInt(1, row, -r * 1000);
            batch.setLong(2, row, Long.MAX_VALUE - r);
            batch.setDouble(3, row, r / 3.0 - 7);
            batch.setString(4, row, "row-" + r + (r % 7 == 0 ? " größe 🚀" : ""));
            batch.setLong(5, row, 1_700_000_000_000L + r);
            batch.setString(6, row, r % 3 == 0 ? null : "x" + r);
            if (r % 5 == 0) {
                batch.setNull(7, row);
            } else {
                batch.setLong(7, row, Long.MIN_VALUE + r);
            }
        }
        return batch;
    }

    static void assertSameRows(ColumnarBatch actual, ColumnarBatch expected) {
        assertThat(actual.rowCount()).isEqualTo(expected.rowCount());
        for (int r = 0; r < expected.rowCount(); r++) {
            assertThat(actual.timestamp(r)).isEqualTo(expected.timestamp(r));
            assertThat(actual.sequence(r)).isEqualTo(expected.sequence(r));
            for (int c = 0; c < ALL_TYPES.size(); c++) {
                assertThat(actual.getObject(c, r)).as("row %d column %d", r, c).isEqualTo(expected.getObject(c, r));
            }
        }
    }

    @Test
    void eventsRoundTripAndAreTheProtoContractOnTheWire() throws Exception {
        ColumnarBatch batch = sample(300);
        WireBuffer wire = new WireBuffer(16);
        BatchEncoder.events(batch, 9, true, -5L, wire);

        EventBatch parsed = ClientFrame.parseFrom(wire.toByteArray()).getBatch();
        assertThat(parsed.getId()).isEqualTo(9);
        assertThat(parsed.getRowCount()).isEqualTo(300);
        assertThat(parsed.getWatermark()).isEqualTo(-5L);
        assertThat(parsed.getColumns(4).getStrings(7)).isEqualTo("row-7 größe 🚀");
        assertThat(parsed.getColumns(3).getDoubles(3)).isEqualTo(1 - 7.0);
        assertThat(wire.toByteArray()).as("canonical protobuf").isEqualTo(ClientFrame.newBuilder().setBatch(parsed).build().toByteArray());

        ColumnarBatch decoded = new ColumnarBatch(ALL_TYPES, 4);
        decoder.events(wire.array(), wire.length(), decoded);
        assertThat(decoder.id()).isEqualTo(9);
        assertThat(decoder.hasWatermark()).isTrue();
        assertThat(decoder.watermark()).isEqualTo(-5L);
        assertSameRows(decoded, batch);
    }

    @Test
    void resultsRoundTripWithTheirBatchAndVersion() throws Exception {
        ColumnarBatch batch = sample(3);
        WireBuffer wire = new WireBuffer(16);
        BatchEncoder.results(batch, 3, 2, wire);
        ResultBatch parsed = HostFrame.parseFrom(wire.toByteArray()).getResults();
        assertThat(parsed.getBatchId()).isEqualTo(3);
        assertThat(parsed.getVersion()).isEqualTo(2);

        ColumnarBatch decoded = new ColumnarBatch(ALL_TYPES, 2);
        decoder.results(wire.array(), wire.length(), decoded);
        assertThat(decoder.id()).isEqualTo(3);
        assertThat(decoder.version()).isEqualTo(2);
        assertSameRows(decoded, batch);
    }

    @Test
    void aBatchWrittenByGeneratedCodeDecodesToo() throws Exception {
        ColumnarBatch batch = sample(20);
        WireBuffer wire = new WireBuffer(16);
        BatchEncoder.events(batch, 1, false, 0, wire);
        EventBatch parsed = ClientFrame.parseFrom(wire.toByteArray()).getBatch();
        byte[] generated = ClientFrame.newBuilder().setBatch(parsed.toBuilder().setId(2)).build().toByteArray();
        ColumnarBatch decoded = new ColumnarBatch(ALL_TYPES, 2);
        decoder.events(generated, generated.length, decoded);
        assertThat(decoder.id()).isEqualTo(2);
        assertThat(decoder.hasWatermark()).isFalse();
        assertSameRows(decoded, batch);
    }

    @Test
    void emptyBatchesCarryOnlyTheirHeader() throws Exception {
        WireBuffer wire = new WireBuffer(16);
        BatchEncoder.events(new ColumnarBatch(ALL_TYPES, 1), 4, true, 77, wire);
        ColumnarBatch decoded = new ColumnarBatch(ALL_TYPES, 2);
        decoder.events(wire.array(), wire.length(), decoded);
        assertThat(decoded.rowCount()).isZero();
        assertThat(decoder.watermark()).isEqualTo(77);
    }

    @Test
    void malformedBatchesAreRejectedNamingTheProblemAndLeaveTheTargetAlone() throws Exception {
        ColumnarBatch batch = sample(2);
        WireBuffer wire = new WireBuffer(16);
        BatchEncoder.events(batch, 1, false, 0, wire);
        EventBatch valid = ClientFrame.parseFrom(wire.toByteArray()).getBatch();
        ColumnarBatch target = new ColumnarBatch(ALL_TYPES, 2);
        target.addRow(1, 1);

        assertRejected(valid.toBuilder().removeColumns(7).build(), target, "batch has 7 columns, schema All has 8 fields");
        assertRejected(valid.toBuilder().setRowCount(3).build(), target, "declares 3 rows but carries 2 timestamps");
        assertRejected(valid.toBuilder().setColumns(1, Column.newBuilder().addLongs(3).addLongs(4)).build(), target,
                "column 'i' must hold 2 INT values, it holds LONG values");
        assertRejected(valid.toBuilder().setColumns(3, Column.newBuilder().addDoubles(1)).build(), target,
                "column 'd' must hold 2 DOUBLE values, it holds 1 DOUBLE values");
        assertRejected(valid.toBuilder().setColumns(4, valid.getColumns(4).toBuilder().setNulls(ByteString.copyFrom(new byte[] {2}))).build(),
                target, "field 's' is not nullable but row 1 is null");
        assertThat(target.rowCount()).as("rejected batches append nothing").isEqualTo(1);

        byte[] truncated = ClientFrame.newBuilder().setBatch(valid).build().toByteArray();
        assertThatThrownBy(() -> decoder.events(truncated, truncated.length - 3, target)).isInstanceOf(BatchFormatException.class);
        assertThat(target.rowCount()).isEqualTo(1);
    }

    void assertRejected(EventBatch batch, ColumnarBatch target, String message) {
        byte[] frame = ClientFrame.newBuilder().setBatch(batch).build().toByteArray();
        assertThatThrownBy(() -> decoder.events(frame, frame.length, target))
                .isInstanceOf(BatchFormatException.class)
                .hasMessageContaining(message);
    }

    @Test
    void settingNullOnANonNullableFieldIsRefused() {
        ColumnarBatch batch = new ColumnarBatch(ALL_TYPES, 1);
        batch.addRow(0, 0);
        assertThatThrownBy(() -> batch.setNull(4, 0)).hasMessageContaining("field 's' of All is not nullable");
    }
}
