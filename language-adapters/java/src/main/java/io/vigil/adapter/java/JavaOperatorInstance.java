package io.vigil.adapter.java;

import io.vigil.adapter.state.KeyedStates;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.function.Event;
import io.vigil.api.function.FunctionContext;
import io.vigil.api.function.KeyedFunction;
import io.vigil.api.function.MapState;
import io.vigil.api.function.Results;
import io.vigil.api.function.ValueState;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * One shard's Java operator: the function, and the keyed state it declared, which the host keeps.
 * Each row of a batch is handed to the function as an {@link Event} with the state scoped to the
 * row's key. Snapshots are the whole state store; a new version takes the store over at the switch.
 */
final class JavaOperatorInstance implements OperatorInstance, FunctionContext, Event, Results {
    private final OperatorDefinition definition;
    private final KeyedFunction function;
    private final boolean takesOver;
    private final long retentionMillis;
    private final EventSchema inputSchema;
    private final EventSchema outputSchema;
    private final int keyColumn;
    private final Map<String, Integer> fields = new HashMap<>();
    private final KeyedStates states;
    private ColumnarBatch input;
    private ColumnarBatch output;
    private int row;
    private long clock = Long.MIN_VALUE;

    JavaOperatorInstance(OperatorDefinition definition, KeyedFunction function, boolean takesOver, long retentionMillis) {
        this.definition = definition;
        this.function = function;
        this.takesOver = takesOver;
        this.retentionMillis = retentionMillis;
        this.inputSchema = definition.input();
        this.outputSchema = definition.output();
        this.keyColumn = inputSchema.indexOf(definition.keyField());
        this.states = new KeyedStates(definition.name());
        for (int c = 0; c < inputSchema.size(); c++) {
            fields.put(inputSchema.field(c).name(), c);
        }
        function.open(this);
    }

    // ---- OperatorInstance ----

    @Override
    public void process(ColumnarBatch batch, ColumnarBatch results) {
        input = batch;
        output = results;
        for (row = 0; row < batch.rowCount(); row++) {
            states.setKey(batch.getObject(keyColumn, row));
            try {
                function.process(this, this);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("operator '" + definition.name() + "' failed on key "
                        + batch.getObject(keyColumn, row) + ": " + e, e);
            }
        }
        if (clock == Long.MIN_VALUE && batch.rowCount() > 0) {
            clock = batch.timestamp(0);
        }
    }

    @Override
    public void advanceTime(long eventTime, long sequence, ColumnarBatch results) {
        if (eventTime != Long.MAX_VALUE && eventTime > clock) {
            clock = eventTime;
        }
    }

    @Override
    public long eventTime() {
        return clock;
    }

    @Override
    public boolean snapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(clock);
        states.write(data);
        data.flush();
        return true;
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        clock = data.readLong();
        states.read(data);
    }

    /** Taking over a Java operator's store, nothing to replay; otherwise the input the host retained. */
    @Override
    public long replayHorizonMillis() {
        return takesOver ? 0 : retentionMillis;
    }

    @Override
    public String takeOver(OperatorInstance previous) {
        if (!takesOver || !(previous instanceof JavaOperatorInstance old)) {
            return "";
        }
        clock = Math.max(clock, old.clock);
        return states.takeOver(old.states);
    }

    @Override
    public void close() {
        states.clear();
    }

    // ---- FunctionContext ----

    @Override
    public <T> ValueState<T> valueState(String name, Class<T> type) {
        return states.valueState(name, type);
    }

    @Override
    public <K, V> MapState<K, V> mapState(String name, Class<K> keyType, Class<V> valueType) {
        return states.mapState(name, keyType, valueType);
    }

    @Override
    public String option(String name, String fallback) {
        return definition.options().getOrDefault(name, fallback);
    }

    // ---- Event: the row being processed ----

    @Override
    public long timestamp() {
        return input.timestamp(row);
    }

    @Override
    public String getString(String field) {
        return input.getString(column(field), row);
    }

    @Override
    public double getDouble(String field) {
        return input.getDouble(column(field), row);
    }

    @Override
    public long getLong(String field) {
        return input.getLong(column(field), row);
    }

    @Override
    public int getInt(String field) {
        return input.getInt(column(field), row);
    }

    @Override
    public boolean getBoolean(String field) {
        return input.getBoolean(column(field), row);
    }

    private int column(String field) {
        Integer column = fields.get(field);
        if (column == null) {
            throw new IllegalArgumentException("the input schema " + inputSchema + " has no field '" + field + "'");
        }
        return column;
    }

    // ---- Results ----

    @Override
    public void emit(Object... values) {
        if (values.length != outputSchema.size()) {
            throw new IllegalArgumentException("a result of operator '" + definition.name() + "' has " + values.length
                    + " values; the output schema " + outputSchema + " has " + outputSchema.size() + " fields");
        }
        int result = output.addRow(input.timestamp(row), input.sequence(row));
        for (int c = 0; c < values.length; c++) {
            output.setObject(c, result, values[c]);
        }
    }
}
