package io.vigil.flink.internal;

import java.lang.invoke.MethodType;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys a stream by one property of its POJOs, read through a generated getter. */
public final class PojoKeySelector<T> implements KeySelector<T, Object> {
    private final Class<T> type;
    private final String property;
    private transient Function<T, Object> getter;

    public PojoKeySelector(Class<T> type, String property) {
        this.type = type;
        this.property = property;
        if (find().type().isPrimitive() && find().type() != long.class && find().type() != int.class) {
            throw new IllegalArgumentException(type.getName() + "." + property + " must be a String, long or int to key by");
        }
    }

    @SuppressWarnings("unchecked")
    public TypeInformation<Object> keyType() {
        Class<?> keyClass = find().type();
        if (keyClass == long.class) {
            keyClass = Long.class;
        } else if (keyClass == int.class) {
            keyClass = Integer.class;
        }
        return (TypeInformation<Object>) TypeInformation.of(keyClass);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object getKey(T value) {
        if (getter == null) {
            getter = find().getter(Function.class, "apply", MethodType.methodType(Object.class, Object.class));
        }
        return getter.apply(value);
    }

    private PojoProperty find() {
        PojoProperty found = PojoProperty.find(type, property);
        if (found == null || !found.readable()) {
            throw new IllegalArgumentException(type.getName() + " has no getter for key field '" + property + "'");
        }
        return found;
    }
}
