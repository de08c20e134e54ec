package io.vigil.api.function;

/** What a {@link KeyedFunction} gets when it opens: its state, scoped per key, and the spec's options. */
public interface FunctionContext {

    /**
     * A value per key. Types: String, Long, Integer, Double, Boolean. A new version of the
     * operator that declares the same name and type gets the values the old one left.
     */
    <T> ValueState<T> valueState(String name, Class<T> type);

    /** A map per key, with keys and values of the types {@link #valueState} allows. */
    <K, V> MapState<K, V> mapState(String name, Class<K> keyType, Class<V> valueType);

    /** An option from the operator's spec, or {@code fallback} when the spec does not set it. */
    String option(String name, String fallback);
}
