package io.vigil.flink.internal;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;
import java.lang.invoke.MethodType;
import java.util.function.BiConsumer;
import java.util.function.ObjDoubleConsumer;
import java.util.function.ObjIntConsumer;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;

/** Builds result POJOs from rows of a columnar result batch, by the output schema's field names. */
public final class OutputMapping<T> {
    private final Supplier<T> constructor;
    private final Writer<T>[] writers;

    @SuppressWarnings("unchecked")
    public OutputMapping(Class<T> type, EventSchema schema) {
        this.constructor = PojoProperty.constructor(type);
        this.writers = new Writer[schema.size()];
        for (int c = 0; c < schema.size(); c++) {
            FieldDef field = schema.field(c);
            PojoProperty property = PojoProperty.find(type, field.name());
            if (property == null || !property.writable()) {
                throw new IllegalArgumentException(type.getName() + " has no setter for field '" + field.name()
                        + "' (" + field.kind() + ") of the operator's output schema " + schema);
            }
            TypeCheck.require(type, property, field);
            if (field.nullable() && property.type().isPrimitive()) {
                throw new IllegalArgumentException(type.getName() + "." + field.name() + " is " + property.type()
                        + " but output field '" + field.name() + "' may be null: use the boxed type");
            }
            writers[c] = writer(property, field);
        }
    }

    public T create(ColumnarBatch batch, int row) {
        T result = constructor.get();
        for (int c = 0; c < writers.length; c++) {
            writers[c].write(result, batch, c, row);
        }
        return result;
    }

    private interface Writer<T> {
        void write(T target, ColumnarBatch batch, int column, int row);
    }

    @SuppressWarnings("unchecked")
    private static <T> Writer<T> writer(PojoProperty property, FieldDef field) {
        Class<?> type = property.type();
        if (type == long.class) {
            ObjLongConsumer<T> set = property.setter(ObjLongConsumer.class, "accept",
                    MethodType.methodType(void.class, Object.class, long.class));
            return (target, batch, c, r) -> set.accept(target, batch.getLong(c, r));
        }
        if (type == int.class) {
            ObjIntConsumer<T> set = property.setter(ObjIntConsumer.class, "accept",
                    MethodType.methodType(void.class, Object.class, int.class));
            return (target, batch, c, r) -> set.accept(target, batch.getInt(c, r));
        }
        if (type == double.class) {
            ObjDoubleConsumer<T> set = property.setter(ObjDoubleConsumer.class, "accept",
                    MethodType.methodType(void.class, Object.class, double.class));
            return (target, batch, c, r) -> set.accept(target, batch.getDouble(c, r));
        }
        BiConsumer<T, Object> set = property.setter(BiConsumer.class, "accept",
                MethodType.methodType(void.class, Object.class, Object.class));
        return (target, batch, c, r) -> set.accept(target, batch.getObject(c, r));
    }
}
