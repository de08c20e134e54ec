package io.vigil.api.function;

import java.util.Map;

/** A map for the current event's key. */
public interface MapState<K, V> {
    V get(K key);

    void put(K key, V value);

    void remove(K key);

    /** The entries, in no particular order; removing through the iterator removes from the state. */
    Iterable<Map.Entry<K, V>> entries();

    boolean isEmpty();

    void clear();
}
