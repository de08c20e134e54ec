package io.vigil.api.function;

/** One value for the current event's key; null when none is set. */
public interface ValueState<T> {
    T get();

    void set(T value);

    void clear();
}
