package io.vigil.api.function;

/** The event being processed, read by field name (the names of the operator's input schema). */
public interface Event {
    /** Event time, epoch milliseconds. */
    long timestamp();

    String getString(String field);

    double getDouble(String field);

    long getLong(String field);

    int getInt(String field);

    boolean getBoolean(String field);
}
