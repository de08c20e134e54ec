package io.vigil.flink.internal;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;
import java.lang.invoke.MethodType;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Copies a POJO's properties into an {@link EventSlot} in the operator's input-schema order, and a
 * slot into a columnar batch. Built once per subtask from the schema the host declares.
 */
public final class InputMapping<T> {
    private final EventSchema schema;
    private final Reader<T>[] readers;
    private final int keyColumn;

    @SuppressWarnings("unchecked")
    public InputMapping(Class<T> type, EventSchema schema, String keyField) {
        this.schema = schema;
        this.readers = new Reader[schema.size()];
        for (int c = 0; c < schema.size(); c++) {
            FieldDef field = schema.field(c);
            PojoProperty property = PojoProperty.find(type, field.name());
            if (property == null || !property.readable()) {
                throw new IllegalArgumentException(type.getName() + " has no getter for field '" + field.name()
                        + "' (" + field.kind() + ") of the operator's input schema " + schema);
            }
            TypeCheck.require(type, property, field);
            readers[c] = reader(property, field);
        }
        this.keyColumn = schema.indexOf(keyField);
    }

    public EventSchema schema() {
        return schema;
    }

    /** Fills the slot from {@code event} and the key group of its key, which routes it to a shard. */
    public void copy(T event, EventSlot slot) {
        for (int c = 0; c < readers.length; c++) {
            readers[c].read(event, slot, c);
        }
        if (slot.nulls[keyColumn]) {
            throw new IllegalArgumentException("event has no value for key field '" + schema.field(keyColumn).name() + "': " + event);
        }
        slot.keyGroup = switch (schema.field(keyColumn).kind()) {
            case STRING -> KeyGroups.of((String) slot.references[keyColumn]);
            case LONG -> KeyGroups.of(slot.primitives[keyColumn]);
            default -> KeyGroups.ofHash((int) slot.primitives[keyColumn]);
        };
    }

    /** Appends the slot's event to {@code batch}. */
    public void append(EventSlot slot, ColumnarBatch batch) {
        int row = batch.addRow(slot.timestamp, slot.sequence);
        for (int c = 0; c < readers.length; c++) {
            if (slot.nulls[c]) {
                batch.setNull(c, row);
                continue;
            }
            switch (schema.field(c).kind()) {
                case BOOLEAN -> batch.setBoolean(c, row, slot.primitives[c] != 0);
                case INT -> batch.setInt(c, row, (int) slot.primitives[c]);
                case LONG, TIMESTAMP -> batch.setLong(c, row, slot.primitives[c]);
                case DOUBLE -> batch.setDouble(c, row, Double.longBitsToDouble(slot.primitives[c]));
                case STRING -> batch.setString(c, row, (String) slot.references[c]);
            }
        }
    }

    private interface Reader<T> {
        void read(T event, EventSlot slot, int column);
    }

    @SuppressWarnings("unchecked")
    private static <T> Reader<T> reader(PojoProperty property, FieldDef field) {
        Class<?> type = property.type();
        MethodType objectToObject = MethodType.methodType(Object.class, Object.class);
        if (type == long.class) {
            ToLongFunction<T> get = property.getter(ToLongFunction.class, "applyAsLong", MethodType.methodType(long.class, Object.class));
            return (event, slot, c) -> {
                slot.primitives[c] = get.applyAsLong(event);
                slot.nulls[c] = false;
            };
        }
        if (type == int.class) {
            ToIntFunction<T> get = property.getter(ToIntFunction.class, "applyAsInt", MethodType.methodType(int.class, Object.class));
            return (event, slot, c) -> {
                slot.primitives[c] = get.applyAsInt(event);
                slot.nulls[c] = false;
            };
        }
        if (type == double.class) {
            ToDoubleFunction<T> get = property.getter(ToDoubleFunction.class, "applyAsDouble",
                    MethodType.methodType(double.class, Object.class));
            return (event, slot, c) -> {
                slot.primitives[c] = Double.doubleToRawLongBits(get.applyAsDouble(event));
                slot.nulls[c] = false;
            };
        }
        if (type == boolean.class) {
            Predicate<T> get = property.getter(Predicate.class, "test", MethodType.methodType(boolean.class, Object.class));
            return (event, slot, c) -> {
                slot.primitives[c] = get.test(event) ? 1 : 0;
                slot.nulls[c] = false;
            };
        }
        Function<T, Object> get = property.getter(Function.class, "apply", objectToObject);
        boolean nullable = field.nullable();
        String name = field.name();
        return (event, slot, c) -> {
            Object value = get.apply(event);
            if (value == null) {
                if (!nullable) {
                    throw new IllegalArgumentException("field '" + name + "' is not nullable but is null in " + event);
                }
                slot.nulls[c] = true;
                slot.references[c] = null;
                return;
            }
            slot.nulls[c] = false;
            switch (field.kind()) {
                case STRING -> slot.references[c] = value;
                case BOOLEAN -> slot.primitives[c] = ((Boolean) value) ? 1 : 0;
                case DOUBLE -> slot.primitives[c] = Double.doubleToRawLongBits(((Number) value).doubleValue());
                default -> slot.primitives[c] = ((Number) value).longValue();
            }
        };
    }
}
