package io.vigil.adapter.java;

import io.vigil.adapter.state.KeyedStateInstance;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.function.Event;
import io.vigil.api.function.FunctionContext;
import io.vigil.api.function.KeyedFunction;
import io.vigil.api.function.MapState;
import io.vigil.api.function.Results;
import io.vigil.api.function.ValueState;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.spi.OperatorDefinition;

/**
 * One shard's Java operator: the function, and the keyed state it declared, which the host keeps.
 * Each row of a batch is handed to the function as an {@link Event} with the state scoped to the
 * row's key. Snapshots are the whole state store; a new version takes the store over at the switch.
 */
final class JavaOperatorInstance extends KeyedStateInstance implements FunctionContext, Event, Results {
    private final OperatorDefinition definition;
    private final KeyedFunction function;
    private final EventSchema inputSchema;
    private final EventSchema outputSchema;
    private final int keyColumn;
    private ColumnarBatch input;
    private ColumnarBatch output;
    private int row;

    JavaOperatorInstance(OperatorDefinition definition, KeyedFunction function, boolean takesOver, long retentionMillis) {
        super(definition, takesOver, retentionMillis);
        this.definition = definition;
        this.function = function;
        this.inputSchema = definition.input();
        this.outputSchema = definition.output();
        this.keyColumn = inputSchema.indexOf(definition.keyField());
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
        if (batch.rowCount() > 0) {
            clockAt(batch.timestamp(batch.rowCount() - 1));
        }
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
        int column = inputSchema.indexOf(field);
        if (column < 0) {
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
