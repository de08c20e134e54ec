package io.vigil.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchCodec;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.proto.Column;
import io.vigil.api.proto.EventBatch;
import io.vigil.api.proto.ResultBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import org.junit.jupiter.api.Test;

class BatchCodecTest {
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

    @Test
    void eventsSurviveTheWireWithNullsTimestampsAndSequences() throws Exception {
        ColumnarBatch batch = new ColumnarBatch(ALL_TYPES, 1);
        for (int r = 0; r < 70; r++) {
            int row = batch.addRow(1_000L + r, 500L + r);
            batch.setBoolean(0, row, r % 2 == 0);
            batch.setInt(1, row, -r);
            batch.setLong(2, row, Long.MAX_VALUE - r);
            batch.setDouble(3, row, r / 3.0);
            batch.setString(4, row, "row-" + r);
            batch.setLong(5, row, 1_700_000_000_000L + r);
            batch.setString(6, row, r % 3 == 0 ? null : "x" + r);
            if (r % 5 == 0) {
                batch.setNull(7, row);
            } else {
                batch.setLong(7, row, r);
            }
        }
        EventBatch wire = EventBatch.parseFrom(BatchCodec.encodeEvents(batch, 9, true, 1_069L).toByteArray());
        assertThat(wire.getId()).isEqualTo(9);
        assertThat(wire.getWatermark()).isEqualTo(1_069L);

        ColumnarBatch decoded = new ColumnarBatch(ALL_TYPES, 4);
        BatchCodec.decodeEvents(wire, decoded);
        assertThat(decoded.rowCount()).isEqualTo(70);
        for (int r = 0; r < 70; r++) {
            assertThat(decoded.timestamp(r)).isEqualTo(1_000L + r);
            assertThat(decoded.sequence(r)).isEqualTo(500L + r);
            for (int c = 0; c < ALL_TYPES.size(); c++) {
                assertThat(decoded.getObject(c, r)).as("row %d column %d", r, c).isEqualTo(batch.getObject(c, r));
            }
        }
    }

    @Test
    void resultsSurviveTheWireWithTheirBatchAndVersion() throws Exception {
        ColumnarBatch batch = new ColumnarBatch(ALL_TYPES, 2);
        int row = batch.addRow(5, 6);
        batch.setString(4, row, "only");
        batch.setNull(6, row);
        batch.setNull(7, row);
        ResultBatch wire = BatchCodec.encodeResults(batch, 3, 2);
        assertThat(wire.getBatchId()).isEqualTo(3);
        assertThat(wire.getVersion()).isEqualTo(2);
        ColumnarBatch decoded = new ColumnarBatch(ALL_TYPES, 2);
        BatchCodec.decodeResults(wire, decoded);
        assertThat(decoded.getString(4, 0)).isEqualTo("only");
        assertThat(decoded.isNull(6, 0)).isTrue();
    }

    @Test
    void malformedBatchesAreRejectedNamingTheProblem() {
        ColumnarBatch batch = new ColumnarBatch(ALL_TYPES, 2);
        batch.addRow(1, 1);
        batch.setString(4, 0, "s");
        batch.setString(6, 0, "n");
        EventBatch valid = BatchCodec.encodeEvents(batch, 1, false, 0);
        ColumnarBatch target = new ColumnarBatch(ALL_TYPES, 2);

        assertThatThrownBy(() -> BatchCodec.decodeEvents(valid.toBuilder().removeColumns(7).build(), target))
                .isInstanceOf(BatchFormatException.class).hasMessageContaining("batch has 7 columns, schema All has 8 fields");
        assertThatThrownBy(() -> BatchCodec.decodeEvents(valid.toBuilder().setRowCount(2).build(), target))
                .hasMessageContaining("declares 2 rows but carries 1 timestamps");
        assertThatThrownBy(() -> BatchCodec.decodeEvents(valid.toBuilder().setColumns(1, Column.newBuilder().addLongs(3)).build(), target))
                .hasMessageContaining("column 'i' must hold 1 INT values, it holds 1 LONG values");
        assertThatThrownBy(() -> BatchCodec.decodeEvents(valid.toBuilder()
                .setColumns(4, valid.getColumns(4).toBuilder().setNulls(com.google.protobuf.ByteString.copyFrom(new byte[] {1}))).build(), target))
                .hasMessageContaining("field 's' is not nullable but row 0 is null");
        assertThat(target.rowCount()).as("nothing appended from rejected batches").isZero();
    }

    @Test
    void settingNullOnANonNullableFieldIsRefused() {
        ColumnarBatch batch = new ColumnarBatch(ALL_TYPES, 1);
        batch.addRow(0, 0);
        assertThatThrownBy(() -> batch.setNull(4, 0)).hasMessageContaining("field 's' of All is not nullable");
    }
}
