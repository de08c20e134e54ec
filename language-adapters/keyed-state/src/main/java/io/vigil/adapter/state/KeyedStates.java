package io.vigil.adapter.state;

import io.vigil.api.function.MapState;
import io.vigil.api.function.ValueState;
import io.vigil.api.spi.TakenOver;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The keyed state one shard's operator declares, kept by the host: handles scoped to the key of
 * the event being processed, written into a checkpoint whole or as the keys written since the last
 * one, read back, and handed to a new version of the operator at a swap. Numbers are stored as the
 * type the state declares, whatever number type the operator's language hands over.
 */
public final class KeyedStates {
    private static final int CHANGES_FORMAT = 1;

    private final String operator;
    private final Map<String, String> declared = new HashMap<>();
    /** Per state, the keys written since the last checkpoint (a map's entries read count: they may be removed through it). */
    private final Map<String, Set<Object>> changed = new HashMap<>();
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
        Set<Object> written = changed.get(name);
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
                    written.add(key);
                }
            }

            @Override
            public void clear() {
                store.values.get(name).remove(key);
                written.add(key);
            }
        };
    }

    public <K, V> MapState<K, V> mapState(String name, Class<K> keyType, Class<V> valueType) {
        StateValues.check(keyType, name);
        StateValues.check(valueType, name);
        declare(name, "map " + keyType.getName() + " " + valueType.getName());
        store.maps.put(name, new HashMap<>());
        Set<Object> written = changed.get(name);
        return new MapState<>() {
            private Map<Object, Object> map(boolean create) {
                if (create) {
                    written.add(key);
                }
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
                written.add(key);
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
                written.add(key);
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
                written.add(key);
            }
        };
    }

    /** Writes the whole state; what changes from here on is what {@link #writeChanges} writes next. */
    public void write(DataOutputStream out) throws IOException {
        store.write(out);
        changed.values().forEach(Set::clear);
    }

    /** The keys written since the last {@link #write} or {@code writeChanges}, each with its value now or as gone. */
    public void writeChanges(DataOutputStream out) throws IOException {
        out.writeInt(CHANGES_FORMAT);
        out.writeInt(changed.size());
        for (Map.Entry<String, Set<Object>> state : changed.entrySet()) {
            String name = state.getKey();
            boolean value = declared.get(name).startsWith("value ");
            out.writeUTF(name);
            out.writeInt(state.getValue().size());
            for (Object key : state.getValue()) {
                StateValues.write(out, key);
                if (value) {
                    Object now = store.values.get(name).get(key);
                    out.writeBoolean(now != null);
                    if (now != null) {
                        StateValues.write(out, now);
                    }
                } else {
                    Map<Object, Object> now = store.maps.get(name).get(key);
                    out.writeBoolean(now != null);
                    if (now != null) {
                        out.writeInt(now.size());
                        for (Map.Entry<Object, Object> item : now.entrySet()) {
                            StateValues.write(out, item.getKey());
                            StateValues.write(out, item.getValue());
                        }
                    }
                }
            }
            state.getValue().clear();
        }
    }

    /** Applies what {@link #writeChanges} wrote, over the state read before it. */
    public void readChanges(DataInputStream in) throws IOException {
        readChanges(in, key -> true);
    }

    /**
     * Adds to the state the keys of a snapshot {@link #write} wrote that {@code wanted} accepts:
     * after a rescale, a shard takes its key groups from each shard that owned some of them.
     */
    public void readKeys(DataInputStream in, Predicate<Object> wanted) throws IOException {
        KeyedStateStore source = KeyedStateStore.read(in);
        KeyedStateStore merged = store;
        for (Map.Entry<String, String> state : source.declared.entrySet()) {
            String name = state.getKey();
            String kept = merged.declared.putIfAbsent(name, state.getValue());
            if (kept != null && !kept.equals(state.getValue())) {
                throw new IllegalStateException("operator '" + operator + "' holds state '" + name + "' as " + kept
                        + ", but the state it takes keys from holds " + state.getValue());
            }
            if (state.getValue().startsWith("value ")) {
                Map<Object, Object> into = merged.values.computeIfAbsent(name, n -> new HashMap<>());
                source.values.getOrDefault(name, Map.of()).forEach((key, value) -> {
                    if (wanted.test(key)) {
                        into.put(key, value);
                    }
                });
            } else {
                Map<Object, Map<Object, Object>> into = merged.maps.computeIfAbsent(name, n -> new HashMap<>());
                source.maps.getOrDefault(name, Map.of()).forEach((key, map) -> {
                    if (wanted.test(key)) {
                        into.put(key, map);
                    }
                });
            }
        }
        adopt(merged);
    }

    /** Applies what {@link #writeChanges} wrote to the keys {@code wanted} accepts, over the state read before it. */
    public void readChanges(DataInputStream in, Predicate<Object> wanted) throws IOException {
        int format = in.readInt();
        if (format != CHANGES_FORMAT) {
            throw new IOException("state changes written in format " + format + ", this adapter reads " + CHANGES_FORMAT);
        }
        int states = in.readInt();
        for (int s = 0; s < states; s++) {
            String name = in.readUTF();
            String kind = store.declared.get(name);
            if (kind == null) {
                throw new IOException("state changes name state '" + name + "', which the snapshot before them does not hold");
            }
            int keys = in.readInt();
            for (int k = 0; k < keys; k++) {
                Object key = StateValues.read(in);
                boolean present = in.readBoolean();
                // A change of a key not wanted is still read, to get past it.
                boolean keep = wanted.test(key);
                if (kind.startsWith("value ")) {
                    Map<Object, Object> perKey = store.values.computeIfAbsent(name, n -> new HashMap<>());
                    Object value = present ? StateValues.read(in) : null;
                    if (keep && present) {
                        perKey.put(key, value);
                    } else if (keep) {
                        perKey.remove(key);
                    }
                } else {
                    Map<Object, Map<Object, Object>> perKey = store.maps.computeIfAbsent(name, n -> new HashMap<>());
                    if (present) {
                        int items = in.readInt();
                        Map<Object, Object> map = new HashMap<>();
                        for (int i = 0; i < items; i++) {
                            map.put(StateValues.read(in), StateValues.read(in));
                        }
                        if (keep) {
                            perKey.put(key, map);
                        }
                    } else if (keep) {
                        perKey.remove(key);
                    }
                }
            }
        }
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
        changed.put(name, new HashSet<>());
    }
}
