package io.vigil.adapter.state;

import io.vigil.api.function.MapState;
import io.vigil.api.function.ValueState;
import io.vigil.api.spi.TakenOver;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The keyed state one shard's operator declares, kept by the host: handles scoped to the key of
 * the event being processed, the whole of it written into a checkpoint and read back, and handed
 * to a new version of the operator at a swap. Numbers are stored as the type the state declares,
 * whatever number type the operator's language hands over.
 */
public final class KeyedStates {
    private final String operator;
    private final Map<String, String> declared = new HashMap<>();
    private KeyedStateStore store = new KeyedStateStore();
    private Object key;

    public KeyedStates(String operator) {
        this.operator = operator;
    }

    /** The key the handles read and write until the next call. */
    public void setKey(Object key) {
        this.key = key;
    }

    public <T> ValueState<T> valueState(String name, Class<T> type) {
        StateValues.check(type, name);
        declare(name, "value " + type.getName());
        store.values.put(name, new HashMap<>());
        return new ValueState<>() {
            @Override
            public T get() {
                return type.cast(store.values.get(name).get(key));
            }

            @Override
            public void set(T value) {
                if (value == null) {
                    clear();
                } else {
                    store.values.get(name).put(key, StateValues.as(type, value, name));
                }
            }

            @Override
            public void clear() {
                store.values.get(name).remove(key);
            }
        };
    }

    public <K, V> MapState<K, V> mapState(String name, Class<K> keyType, Class<V> valueType) {
        StateValues.check(keyType, name);
        StateValues.check(valueType, name);
        declare(name, "map " + keyType.getName() + " " + valueType.getName());
        store.maps.put(name, new HashMap<>());
        return new MapState<>() {
            private Map<Object, Object> map(boolean create) {
                Map<Object, Map<Object, Object>> perKey = store.maps.get(name);
                return create ? perKey.computeIfAbsent(key, k -> new HashMap<>()) : perKey.getOrDefault(key, Map.of());
            }

            @Override
            public V get(K item) {
                return valueType.cast(map(false).get(StateValues.as(keyType, item, name)));
            }

            @Override
            public void put(K item, V value) {
                map(true).put(StateValues.as(keyType, item, name), StateValues.as(valueType, value, name));
            }

            @Override
            public void remove(K item) {
                Map<Object, Object> map = map(false);
                if (!map.isEmpty()) {
                    map.remove(StateValues.as(keyType, item, name));
                    if (map.isEmpty()) {
                        store.maps.get(name).remove(key);
                    }
                }
            }

            @Override
            @SuppressWarnings("unchecked")
            public Iterable<Map.Entry<K, V>> entries() {
                Map<Object, Object> map = map(false);
                return () -> (Iterator<Map.Entry<K, V>>) (Iterator<?>) map.entrySet().iterator();
            }

            @Override
            public boolean isEmpty() {
                return map(false).isEmpty();
            }

            @Override
            public void clear() {
                store.maps.get(name).remove(key);
            }
        };
    }

    public void write(DataOutputStream out) throws IOException {
        store.write(out);
    }

    public void read(DataInputStream in) throws IOException {
        adopt(KeyedStateStore.read(in));
    }

    /** Takes {@code previous}'s state over; returns what was taken, for the shard's report. */
    public TakenOver takeOver(KeyedStates previous) {
        adopt(previous.store);
        previous.store = new KeyedStateStore();
        return new TakenOver("keys", store.keys(), store.keys());
    }

    public void clear() {
        store = new KeyedStateStore();
    }

    /** Makes {@code other} the store, after checking it holds what the operator declared. */
    private void adopt(KeyedStateStore other) {
        for (Map.Entry<String, String> state : declared.entrySet()) {
            String kept = other.declared.get(state.getKey());
            if (kept != null && !kept.equals(state.getValue())) {
                throw new IllegalStateException("operator '" + operator + "' declares state '" + state.getKey() + "' as "
                        + state.getValue() + ", but the state it takes over holds " + kept);
            }
            if (kept == null) {
                other.declared.put(state.getKey(), state.getValue());
                if (state.getValue().startsWith("value ")) {
                    other.values.put(state.getKey(), new HashMap<>());
                } else {
                    other.maps.put(state.getKey(), new HashMap<>());
                }
            }
        }
        store = other;
    }

    private void declare(String name, String kind) {
        if (declared.putIfAbsent(name, kind) != null) {
            throw new IllegalArgumentException("state '" + name + "' is declared twice");
        }
        store.declared.put(name, kind);
    }
}
