package com.example.meters;

/**
 * One reading of an electricity meter: the event type the job sends to the operator. Vigil reads
 * it through its getters, named for the fields of the operator's input schema ({@code isX} for a
 * boolean; a record's accessors work too).
 */
public class Reading {
    private long meterId;
    private boolean tampered;
    private double kwh;
    private long readAt;

    public Reading() {
    }

    public Reading(long meterId, boolean tampered, double kwh, long readAt) {
        this.meterId = meterId;
        this.tampered = tampered;
        this.kwh = kwh;
        this.readAt = readAt;
    }

    public long getMeterId() {
        return meterId;
    }

    public void setMeterId(long meterId) {
        this.meterId = meterId;
    }

    public boolean isTampered() {
        return tampered;
    }

    public void setTampered(boolean tampered) {
        this.tampered = tampered;
    }

    public double getKwh() {
        return kwh;
    }

    public void setKwh(double kwh) {
        this.kwh = kwh;
    }

    /** Epoch milliseconds: the event time, and the TIMESTAMP field {@code readAt}. */
    public long getReadAt() {
        return readAt;
    }

    public void setReadAt(long readAt) {
        this.readAt = readAt;
    }
}
