package io.vigil.api.wire;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.FieldKind;

/**
 * Writes a {@link ColumnarBatch} as a whole data-plane frame — {@code ClientFrame{batch}} or
 * {@code HostFrame{results}} of {@code dataplane.proto} — straight into a reused buffer: no message
 * objects, no boxing, nothing allocated per row.
 */
public final class BatchEncoder {
    private BatchEncoder() {
    }

    /** A {@code ClientFrame} holding an {@code EventBatch}. */
    public static void events(ColumnarBatch batch, long id, boolean hasWatermark, long watermark, WireBuffer out) {
        out.clear();
        out.tag(2, WireBuffer.LENGTH_DELIMITED);
        int frame = out.beginLength();
        out.tag(1, WireBuffer.VARINT);
        out.varint64(id);
        rows(batch, 2, 3, 4, 5, out);
        if (hasWatermark) {
            out.tag(6, WireBuffer.VARINT);
            out.varint64(watermark);
        }
        out.endLength(frame);
    }

    /** A {@code HostFrame} holding a {@code ResultBatch}. */
    public static void results(ColumnarBatch batch, long batchId, long version, WireBuffer out) {
        out.clear();
        out.tag(2, WireBuffer.LENGTH_DELIMITED);
        int frame = out.beginLength();
        out.tag(1, WireBuffer.VARINT);
        out.varint64(batchId);
        out.tag(2, WireBuffer.VARINT);
        out.varint64(version);
        rows(batch, 3, 4, 5, 6, out);
        out.endLength(frame);
    }

    private static void rows(ColumnarBatch batch, int rowCountField, int timestampsField, int sequencesField, int columnsField,
                             WireBuffer out) {
        int rows = batch.rowCount();
        out.tag(rowCountField, WireBuffer.VARINT);
        out.varint32(rows);
        if (rows > 0) {
            out.tag(timestampsField, WireBuffer.LENGTH_DELIMITED);
            int mark = out.beginLength();
            for (int r = 0; r < rows; r++) {
                out.sint64(batch.timestamp(r));
            }
            out.endLength(mark);
            out.tag(sequencesField, WireBuffer.LENGTH_DELIMITED);
            mark = out.beginLength();
            for (int r = 0; r < rows; r++) {
                out.sint64(batch.sequence(r));
            }
            out.endLength(mark);
        }
        for (int c = 0; c < batch.schema().size(); c++) {
            out.tag(columnsField, WireBuffer.LENGTH_DELIMITED);
            int column = out.beginLength();
            column(batch, c, out);
            out.endLength(column);
        }
    }

    private static void column(ColumnarBatch batch, int c, WireBuffer out) {
        int rows = batch.rowCount();
        FieldKind kind = batch.schema().field(c).kind();
        if (kind == FieldKind.STRING) {
            for (int r = 0; r < rows; r++) {
                String value = batch.isNull(c, r) ? null : batch.getString(c, r);
                out.string(5, value == null ? "" : value);
            }
        } else if (rows > 0) {
            out.tag(Columns.valueField(kind), WireBuffer.LENGTH_DELIMITED);
            int mark = out.beginLength();
            for (int r = 0; r < rows; r++) {
                boolean isNull = batch.isNull(c, r);
                switch (kind) {
                    case BOOLEAN -> out.varint32(!isNull && batch.getBoolean(c, r) ? 1 : 0);
                    case INT -> out.sint32(isNull ? 0 : batch.getInt(c, r));
                    case LONG, TIMESTAMP -> out.sint64(isNull ? 0 : batch.getLong(c, r));
                    case DOUBLE -> out.fixed64(Double.doubleToRawLongBits(isNull ? 0d : batch.getDouble(c, r)));
                    default -> throw new IllegalStateException(kind.name());
                }
            }
            out.endLength(mark);
        }
        if (batch.hasNulls(c)) {
            out.tag(6, WireBuffer.LENGTH_DELIMITED);
            out.varint32((rows + 7) / 8);
            for (int from = 0; from < rows; from += 8) {
                int bits = 0;
                for (int r = from; r < Math.min(rows, from + 8); r++) {
                    if (batch.isNull(c, r)) {
                        bits |= 1 << (r - from);
                    }
                }
                out.rawByte(bits);
            }
        }
    }
}
