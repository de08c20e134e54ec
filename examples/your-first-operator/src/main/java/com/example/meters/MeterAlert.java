package com.example.meters;

import java.util.Objects;

/**
 * What the operator emits: one row of its output schema. Vigil fills it through a public
 * no-argument constructor and setters named for the schema's fields.
 */
public class MeterAlert {
    private String rule;
    private long meterId;
    private double kwh;
    private long readAt;

    public MeterAlert() {
    }

    public MeterAlert(String rule, long meterId, double kwh, long readAt) {
        this.rule = rule;
        this.meterId = meterId;
        this.kwh = kwh;
        this.readAt = readAt;
    }

    public String getRule() {
        return rule;
    }

    public void setRule(String rule) {
        this.rule = rule;
    }

    public long getMeterId() {
        return meterId;
    }

    public void setMeterId(long meterId) {
        this.meterId = meterId;
    }

    public double getKwh() {
        return kwh;
    }

    public void setKwh(double kwh) {
        this.kwh = kwh;
    }

    public long getReadAt() {
        return readAt;
    }

    public void setReadAt(long readAt) {
        this.readAt = readAt;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MeterAlert alert && rule.equals(alert.rule) && meterId == alert.meterId
                && Double.compare(kwh, alert.kwh) == 0 && readAt == alert.readAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rule, meterId, kwh, readAt);
    }

    @Override
    public String toString() {
        return rule + "(meter " + meterId + ", " + kwh + " kWh, at " + readAt + ")";
    }
}
