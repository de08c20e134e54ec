package io.vigil.api.wire;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;
import java.util.Arrays;

/**
 * Reads the batch in a whole data-plane frame straight into a {@link ColumnarBatch}, checking it
 * against the batch's schema. One decoder per thread; it reuses its scratch space, so decoding
 * allocates nothing per row but the strings themselves. A rejected batch leaves the target as it was.
 */
public final class BatchDecoder {
    private static final int CLIENT_BATCH_TAG = (2 << 3) | WireBuffer.LENGTH_DELIMITED;
    private static final int HOST_RESULTS_TAG = (2 << 3) | WireBuffer.LENGTH_DELIMITED;

    private final int[] length = new int[1];
    private int[] columnOffsets = new int[16];
    private int[] columnLengths = new int[16];
    private long id;
    private long version;
    private boolean hasWatermark;
    private long watermark;

    /** The batch id of the last frame decoded (for results, the id of the batch they answer). */
    public long id() {
        return id;
    }

    /** The operator version of the last result frame decoded. */
    public long version() {
        return version;
    }

    public boolean hasWatermark() {
        return hasWatermark;
    }

    public long watermark() {
        return watermark;
    }

    /** Decodes a {@code ClientFrame{batch}}; appends its rows to {@code target}. */
    public void events(byte[] frame, int frameLength, ColumnarBatch target) throws BatchFormatException {
        WireReader reader = new WireReader(frame, 0, frameLength);
        if (!reader.hasMore() || reader.tag() != CLIENT_BATCH_TAG) {
            throw new BatchFormatException("not a batch frame");
        }
        reader.pushLimit(reader.varint32());
        decode(reader, target, false);
    }

    /** Decodes a {@code HostFrame{results}}; appends its rows to {@code target}. */
    public void results(byte[] frame, int frameLength, ColumnarBatch target) throws BatchFormatException {
        WireReader reader = new WireReader(frame, 0, frameLength);
        if (!reader.hasMore() || reader.tag() != HOST_RESULTS_TAG) {
            throw new BatchFormatException("not a result frame");
        }
        reader.pushLimit(reader.varint32());
        decode(reader, target, true);
    }

    private void decode(WireReader reader, ColumnarBatch target, boolean results) throws BatchFormatException {
        // EventBatch:  id=1 row_count=2 timestamps=3 sequences=4 columns=5 watermark=6
        // ResultBatch: batch_id=1 version=2 row_count=3 timestamps=4 sequences=5 columns=6
        int rowCountField = results ? 3 : 2;
        int offset = results ? 1 : 0;
        id = 0;
        version = 0;
        hasWatermark = false;
        watermark = 0;
        int rows = 0;
        int timestampsAt = -1;
        int timestampsLength = 0;
        int sequencesAt = -1;
        int sequencesLength = 0;
        int columns = 0;
        while (reader.hasMore()) {
            int tag = reader.tag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (field == 1 && wireType == WireBuffer.VARINT) {
                id = reader.varint64();
            } else if (results && field == 2 && wireType == WireBuffer.VARINT) {
                version = reader.varint64();
            } else if (field == rowCountField && wireType == WireBuffer.VARINT) {
                rows = reader.varint32();
            } else if (field == 3 + offset && wireType == WireBuffer.LENGTH_DELIMITED) {
                timestampsAt = reader.lengthDelimited(length);
                timestampsLength = length[0];
            } else if (field == 4 + offset && wireType == WireBuffer.LENGTH_DELIMITED) {
                sequencesAt = reader.lengthDelimited(length);
                sequencesLength = length[0];
            } else if (field == 5 + offset && wireType == WireBuffer.LENGTH_DELIMITED) {
                if (columns == columnOffsets.length) {
                    columnOffsets = Arrays.copyOf(columnOffsets, columns * 2);
                    columnLengths = Arrays.copyOf(columnLengths, columns * 2);
                }
                columnOffsets[columns] = reader.lengthDelimited(length);
                columnLengths[columns++] = length[0];
            } else if (!results && field == 6 && wireType == WireBuffer.VARINT) {
                hasWatermark = true;
                watermark = reader.varint64();
            } else {
                reader.skip(wireType);
            }
        }
        EventSchema schema = target.schema();
        if (rows < 0) {
            throw new BatchFormatException("batch declares " + rows + " rows");
        }
        if (columns != schema.size()) {
            throw new BatchFormatException("batch has " + columns + " columns, schema " + schema.name()
                    + " has " + schema.size() + " fields " + schema.fields());
        }
        int first = target.rowCount();
        try {
            int timestamps = count(reader, timestampsAt, timestampsLength);
            int sequences = count(reader, sequencesAt, sequencesLength);
            if (timestamps != rows || sequences != rows) {
                throw new BatchFormatException("batch declares " + rows + " rows but carries " + timestamps
                        + " timestamps and " + sequences + " sequence numbers");
            }
            WireReader ts = new WireReader(reader.bytes(), Math.max(timestampsAt, 0), timestampsLength);
            WireReader seq = new WireReader(reader.bytes(), Math.max(sequencesAt, 0), sequencesLength);
            for (int r = 0; r < rows; r++) {
                target.addRow(ts.sint64(), seq.sint64());
            }
            for (int c = 0; c < columns; c++) {
                column(new WireReader(reader.bytes(), columnOffsets[c], columnLengths[c]), schema.field(c), c, rows, first, target);
            }
        } catch (BatchFormatException | RuntimeException e) {
            target.truncate(first);
            throw e;
        }
    }

    private static int count(WireReader reader, int at, int bytes) throws BatchFormatException {
        if (at < 0) {
            return 0;
        }
        WireReader values = new WireReader(reader.bytes(), at, bytes);
        int n = 0;
        while (values.hasMore()) {
            values.varint64();
            n++;
        }
        return n;
    }

    private void column(WireReader reader, FieldDef field, int c, int rows, int first, ColumnarBatch target) throws BatchFormatException {
        int expected = Columns.valueField(field.kind());
        int values = 0;
        int nullsAt = -1;
        int nullsLength = 0;
        String unexpected = null;
        while (reader.hasMore()) {
            int tag = reader.tag();
            int number = tag >>> 3;
            int wireType = tag & 7;
            if (number == Columns.NULLS && wireType == WireBuffer.LENGTH_DELIMITED) {
                nullsAt = reader.lengthDelimited(length);
                nullsLength = length[0];
            } else if (number == expected && number == Columns.STRINGS && wireType == WireBuffer.LENGTH_DELIMITED) {
                String value = reader.string();
                if (values < rows) {
                    target.setString(c, first + values, value);
                }
                values++;
            } else if (number == expected && wireType == WireBuffer.LENGTH_DELIMITED) {
                int previous = reader.pushLimit(reader.varint32());
                while (reader.hasMore()) {
                    if (values < rows) {
                        value(reader, field, c, first + values, target);
                    } else {
                        reader.skip(number == Columns.DOUBLES ? WireBuffer.FIXED64 : WireBuffer.VARINT);
                    }
                    values++;
                }
                reader.popLimit(previous);
            } else if (number == expected && number != Columns.STRINGS) {
                if (values < rows) {
                    value(reader, field, c, first + values, target);
                } else {
                    reader.skip(wireType);
                }
                values++;
            } else if (number >= Columns.BOOLS && number <= Columns.STRINGS) {
                unexpected = Columns.kindOf(number);
                reader.skip(wireType);
            } else {
                reader.skip(wireType);
            }
        }
        if (values != rows || unexpected != null) {
            throw new BatchFormatException("column '" + field.name() + "' must hold " + rows + " " + field.kind()
                    + " values, it holds " + (unexpected != null ? unexpected + " values" : values + " " + field.kind() + " values"));
        }
        if (nullsAt >= 0) {
            if (nullsLength > (rows + 7) / 8) {
                throw new BatchFormatException("null bitmap of column '" + field.name() + "' is longer than " + rows + " rows");
            }
            byte[] bytes = reader.bytes();
            for (int r = 0; r < rows; r++) {
                if ((r >>> 3) < nullsLength && (bytes[nullsAt + (r >>> 3)] & (1 << (r & 7))) != 0) {
                    if (!field.nullable()) {
                        throw new BatchFormatException("field '" + field.name() + "' is not nullable but row " + r + " is null");
                    }
                    target.setNull(c, first + r);
                }
            }
        }
    }

    private static void value(WireReader reader, FieldDef field, int c, int row, ColumnarBatch target) throws BatchFormatException {
        switch (field.kind()) {
            case BOOLEAN -> target.setBoolean(c, row, reader.varint64() != 0);
            case INT -> target.setInt(c, row, reader.sint32());
            case LONG, TIMESTAMP -> target.setLong(c, row, reader.sint64());
            case DOUBLE -> target.setDouble(c, row, Double.longBitsToDouble(reader.fixed64()));
            case STRING -> throw new IllegalStateException("strings are length-delimited");
        }
    }
}
