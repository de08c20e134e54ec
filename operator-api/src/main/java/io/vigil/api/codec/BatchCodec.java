package io.vigil.api.codec;

import com.google.protobuf.ByteString;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.proto.Column;
import io.vigil.api.proto.EventBatch;
import io.vigil.api.proto.ResultBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;
import java.util.function.LongConsumer;

/** Encodes a {@link ColumnarBatch} into the wire's columnar messages and decodes it back, checking it against the schema. */
public final class BatchCodec {
    private BatchCodec() {
    }

    public static EventBatch encodeEvents(ColumnarBatch batch, long id, boolean hasWatermark, long watermark) {
        EventBatch.Builder builder = EventBatch.newBuilder().setId(id).setRowCount(batch.rowCount());
        encodeRows(batch, builder::addTimestamps, builder::addSequences, builder::addColumns);
        if (hasWatermark) {
            builder.setWatermark(watermark);
        }
        return builder.build();
    }

    public static ResultBatch encodeResults(ColumnarBatch batch, long batchId, long version) {
        ResultBatch.Builder builder = ResultBatch.newBuilder().setBatchId(batchId).setVersion(version).setRowCount(batch.rowCount());
        encodeRows(batch, builder::addTimestamps, builder::addSequences, builder::addColumns);
        return builder.build();
    }

    private static void encodeRows(ColumnarBatch batch, LongConsumer timestamps, LongConsumer sequences, Consumer<Column> columns) {
        int rows = batch.rowCount();
        for (int r = 0; r < rows; r++) {
            timestamps.accept(batch.timestamp(r));
            sequences.accept(batch.sequence(r));
        }
        for (int c = 0; c < batch.schema().size(); c++) {
            columns.accept(encodeColumn(batch, c));
        }
    }

    /** Appends the rows of {@code message} to {@code target}. */
    public static void decodeEvents(EventBatch message, ColumnarBatch target) throws BatchFormatException {
        decode(message.getRowCount(), message.getTimestampsCount(), message.getSequencesCount(), target,
                message::getTimestamps, message::getSequences, message.getColumnsList());
    }

    /** Appends the rows of {@code message} to {@code target}. */
    public static void decodeResults(ResultBatch message, ColumnarBatch target) throws BatchFormatException {
        decode(message.getRowCount(), message.getTimestampsCount(), message.getSequencesCount(), target,
                message::getTimestamps, message::getSequences, message.getColumnsList());
    }

    private static void decode(int rows, int timestampCount, int sequenceCount, ColumnarBatch target,
                               IntToLongFunction timestamps, IntToLongFunction sequences, List<Column> columns)
            throws BatchFormatException {
        int columnCount = columns.size();
        EventSchema schema = target.schema();
        if (rows < 0 || timestampCount != rows || sequenceCount != rows) {
            throw new BatchFormatException("batch declares " + rows + " rows but carries " + timestampCount
                    + " timestamps and " + sequenceCount + " sequence numbers");
        }
        if (columnCount != schema.size()) {
            throw new BatchFormatException("batch has " + columnCount + " columns, schema " + schema.name()
                    + " has " + schema.size() + " fields " + schema.fields());
        }
        for (int c = 0; c < columnCount; c++) {
            checkColumn(schema.field(c), columns.get(c), rows);
        }
        int first = target.rowCount();
        for (int r = 0; r < rows; r++) {
            target.addRow(timestamps.applyAsLong(r), sequences.applyAsLong(r));
        }
        for (int c = 0; c < columnCount; c++) {
            Column column = columns.get(c);
            FieldDef field = schema.field(c);
            boolean anyNull = !column.getNulls().isEmpty();
            for (int r = 0; r < rows; r++) {
                int row = first + r;
                if (anyNull && isNullBit(column.getNulls(), r)) {
                    target.setNull(c, row);
                    continue;
                }
                switch (field.kind()) {
                    case BOOLEAN -> target.setBoolean(c, row, column.getBools(r));
                    case INT -> target.setInt(c, row, column.getInts(r));
                    case LONG, TIMESTAMP -> target.setLong(c, row, column.getLongs(r));
                    case DOUBLE -> target.setDouble(c, row, column.getDoubles(r));
                    case STRING -> target.setString(c, row, column.getStrings(r));
                }
            }
        }
    }

    private static void checkColumn(FieldDef field, Column column, int rows) throws BatchFormatException {
        int count = switch (field.kind()) {
            case BOOLEAN -> column.getBoolsCount();
            case INT -> column.getIntsCount();
            case LONG, TIMESTAMP -> column.getLongsCount();
            case DOUBLE -> column.getDoublesCount();
            case STRING -> column.getStringsCount();
        };
        int others = column.getBoolsCount() + column.getIntsCount() + column.getLongsCount()
                + column.getDoublesCount() + column.getStringsCount() - count;
        if (count != rows || others != 0) {
            throw new BatchFormatException("column '" + field.name() + "' must hold " + rows + " " + field.kind()
                    + " values, it holds " + describe(column));
        }
        if (!column.getNulls().isEmpty()) {
            if (!field.nullable()) {
                for (int r = 0; r < rows; r++) {
                    if (isNullBit(column.getNulls(), r)) {
                        throw new BatchFormatException("field '" + field.name() + "' is not nullable but row " + r + " is null");
                    }
                }
            }
            if (column.getNulls().size() > (rows + 7) / 8) {
                throw new BatchFormatException("null bitmap of column '" + field.name() + "' is longer than " + rows + " rows");
            }
        }
    }

    private static String describe(Column column) {
        StringBuilder text = new StringBuilder();
        append(text, column.getBoolsCount(), "BOOLEAN");
        append(text, column.getIntsCount(), "INT");
        append(text, column.getLongsCount(), "LONG");
        append(text, column.getDoublesCount(), "DOUBLE");
        append(text, column.getStringsCount(), "STRING");
        return text.length() == 0 ? "no values" : text.toString();
    }

    private static void append(StringBuilder text, int count, String kind) {
        if (count > 0) {
            text.append(text.length() == 0 ? "" : " and ").append(count).append(' ').append(kind).append(" values");
        }
    }

    private static boolean isNullBit(ByteString bitmap, int row) {
        int index = row >>> 3;
        return index < bitmap.size() && (bitmap.byteAt(index) & (1 << (row & 7))) != 0;
    }

    private static Column encodeColumn(ColumnarBatch batch, int c) {
        Column.Builder column = Column.newBuilder();
        FieldDef field = batch.schema().field(c);
        int rows = batch.rowCount();
        for (int r = 0; r < rows; r++) {
            boolean isNull = batch.isNull(c, r);
            switch (field.kind()) {
                case BOOLEAN -> column.addBools(!isNull && batch.getBoolean(c, r));
                case INT -> column.addInts(isNull ? 0 : batch.getInt(c, r));
                case LONG, TIMESTAMP -> column.addLongs(isNull ? 0L : batch.getLong(c, r));
                case DOUBLE -> column.addDoubles(isNull ? 0d : batch.getDouble(c, r));
                case STRING -> column.addStrings(isNull ? "" : batch.getString(c, r));
            }
        }
        if (batch.hasNulls(c)) {
            byte[] bitmap = new byte[(rows + 7) / 8];
            for (int r = 0; r < rows; r++) {
                if (batch.isNull(c, r)) {
                    bitmap[r >>> 3] |= (byte) (1 << (r & 7));
                }
            }
            column.setNulls(ByteString.copyFrom(bitmap));
        }
        return column.build();
    }
}
