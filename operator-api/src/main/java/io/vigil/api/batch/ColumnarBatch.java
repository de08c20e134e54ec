package io.vigil.api.batch;

import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;
import io.vigil.api.schema.FieldKind;
import java.util.Arrays;

/**
 * Rows of one schema held column by column in primitive arrays, reused from batch to batch.
 * Every row carries an event timestamp and the sequence number of the input that caused it.
 * Not thread-safe: one thread fills it, then hands it on.
 */
public final class ColumnarBatch {
    private final EventSchema schema;
    private final FieldKind[] kinds;
    private final boolean[] nullable;
    private final boolean[][] booleans;
    private final int[][] ints;
    private final long[][] longs;
    private final double[][] doubles;
    private final String[][] strings;
    private final long[][] nulls;
    private final boolean[] hasNulls;
    private long[] timestamps;
    private long[] sequences;
    private int rows;
    private int capacity;

    public ColumnarBatch(EventSchema schema, int initialCapacity) {
        this.schema = schema;
        int columns = schema.size();
        this.kinds = new FieldKind[columns];
        this.nullable = new boolean[columns];
        this.booleans = new boolean[columns][];
        this.ints = new int[columns][];
        this.longs = new long[columns][];
        this.doubles = new double[columns][];
        this.strings = new String[columns][];
        this.nulls = new long[columns][];
        this.hasNulls = new boolean[columns];
        this.capacity = Math.max(1, initialCapacity);
        for (int c = 0; c < columns; c++) {
            FieldDef field = schema.field(c);
            kinds[c] = field.kind();
            nullable[c] = field.nullable();
        }
        allocate(capacity);
    }

    public EventSchema schema() {
        return schema;
    }

    public int rowCount() {
        return rows;
    }

    public boolean isEmpty() {
        return rows == 0;
    }

    /** Appends a row with every field at its default value; returns its index. */
    public int addRow(long timestamp, long sequence) {
        if (rows == capacity) {
            allocate(capacity * 2);
        }
        timestamps[rows] = timestamp;
        sequences[rows] = sequence;
        return rows++;
    }

    /** Appends a copy of row {@code row} of {@code from}, a batch of the same schema; returns its index. */
    public int copyRow(ColumnarBatch from, int row) {
        int to = addRow(from.timestamps[row], from.sequences[row]);
        for (int c = 0; c < kinds.length; c++) {
            if (from.isNull(c, row)) {
                setNull(c, to);
                continue;
            }
            switch (kinds[c]) {
                case BOOLEAN -> booleans[c][to] = from.booleans[c][row];
                case INT -> ints[c][to] = from.ints[c][row];
                case LONG, TIMESTAMP -> longs[c][to] = from.longs[c][row];
                case DOUBLE -> doubles[c][to] = from.doubles[c][row];
                case STRING -> strings[c][to] = from.strings[c][row];
            }
        }
        return to;
    }

    /** Re-stamps a row with the input sequence that caused it, where its producer could not know it. */
    public void setSequence(int row, long sequence) {
        sequences[row] = sequence;
    }

    public void clear() {
        for (int c = 0; c < kinds.length; c++) {
            if (hasNulls[c]) {
                Arrays.fill(nulls[c], 0L);
                hasNulls[c] = false;
            }
            if (strings[c] != null) {
                Arrays.fill(strings[c], 0, rows, null);
            }
        }
        rows = 0;
    }

    /** Drops every row from {@code rowCount} on. */
    public void truncate(int rowCount) {
        if (rowCount >= rows) {
            return;
        }
        for (int c = 0; c < kinds.length; c++) {
            if (hasNulls[c]) {
                for (int r = rowCount; r < rows; r++) {
                    nulls[c][r >>> 6] &= ~(1L << r);
                }
            }
            if (strings[c] != null) {
                Arrays.fill(strings[c], rowCount, rows, null);
            }
        }
        rows = rowCount;
    }

    public long timestamp(int row) {
        return timestamps[row];
    }

    public long sequence(int row) {
        return sequences[row];
    }

    public void setBoolean(int column, int row, boolean value) {
        booleans[column][row] = value;
    }

    public void setInt(int column, int row, int value) {
        ints[column][row] = value;
    }

    /** For LONG and TIMESTAMP columns. */
    public void setLong(int column, int row, long value) {
        longs[column][row] = value;
    }

    public void setDouble(int column, int row, double value) {
        doubles[column][row] = value;
    }

    public void setString(int column, int row, String value) {
        if (value == null) {
            setNull(column, row);
        } else {
            strings[column][row] = value;
        }
    }

    public void setNull(int column, int row) {
        if (!nullable[column]) {
            throw new IllegalArgumentException("field '" + schema.field(column).name() + "' of " + schema.name() + " is not nullable");
        }
        nulls[column][row >>> 6] |= 1L << row;
        hasNulls[column] = true;
    }

    public boolean isNull(int column, int row) {
        return hasNulls[column] && (nulls[column][row >>> 6] & (1L << row)) != 0;
    }

    public boolean hasNulls(int column) {
        return hasNulls[column];
    }

    public boolean getBoolean(int column, int row) {
        return booleans[column][row];
    }

    public int getInt(int column, int row) {
        return ints[column][row];
    }

    public long getLong(int column, int row) {
        return longs[column][row];
    }

    public double getDouble(int column, int row) {
        return doubles[column][row];
    }

    public String getString(int column, int row) {
        return strings[column][row];
    }

    /** The value boxed, or null; for adapters that need objects anyway. */
    public Object getObject(int column, int row) {
        if (isNull(column, row)) {
            return null;
        }
        return switch (kinds[column]) {
            case BOOLEAN -> booleans[column][row];
            case INT -> ints[column][row];
            case LONG, TIMESTAMP -> longs[column][row];
            case DOUBLE -> doubles[column][row];
            case STRING -> strings[column][row];
        };
    }

    /** Sets a field from a boxed value of the column's Java type (Boolean, Integer, Long, Double, String). */
    public void setObject(int column, int row, Object value) {
        if (value == null) {
            setNull(column, row);
            return;
        }
        switch (kinds[column]) {
            case BOOLEAN -> booleans[column][row] = (Boolean) value;
            case INT -> ints[column][row] = ((Number) value).intValue();
            case LONG, TIMESTAMP -> longs[column][row] = ((Number) value).longValue();
            case DOUBLE -> doubles[column][row] = ((Number) value).doubleValue();
            case STRING -> strings[column][row] = value.toString();
        }
    }

    private void allocate(int newCapacity) {
        timestamps = timestamps == null ? new long[newCapacity] : Arrays.copyOf(timestamps, newCapacity);
        sequences = sequences == null ? new long[newCapacity] : Arrays.copyOf(sequences, newCapacity);
        int words = (newCapacity + 63) >>> 6;
        for (int c = 0; c < kinds.length; c++) {
            switch (kinds[c]) {
                case BOOLEAN -> booleans[c] = booleans[c] == null ? new boolean[newCapacity] : Arrays.copyOf(booleans[c], newCapacity);
                case INT -> ints[c] = ints[c] == null ? new int[newCapacity] : Arrays.copyOf(ints[c], newCapacity);
                case LONG, TIMESTAMP -> longs[c] = longs[c] == null ? new long[newCapacity] : Arrays.copyOf(longs[c], newCapacity);
                case DOUBLE -> doubles[c] = doubles[c] == null ? new double[newCapacity] : Arrays.copyOf(doubles[c], newCapacity);
                case STRING -> strings[c] = strings[c] == null ? new String[newCapacity] : Arrays.copyOf(strings[c], newCapacity);
            }
            nulls[c] = nulls[c] == null ? new long[words] : Arrays.copyOf(nulls[c], words);
        }
        capacity = newCapacity;
    }
}
