package io.vigil.tests;

/** A tiny event for flow-control tests: a key and a value. */
public final class Reading {
    private String key;
    private long value;

    public Reading() {
    }

    public Reading(String key, long value) {
        this.key = key;
        this.value = value;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public long getValue() {
        return value;
    }

    public void setValue(long value) {
        this.value = value;
    }
}
