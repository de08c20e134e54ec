package io.vigil.examples.fraud;

import java.util.Objects;

/** A rule's verdict on one transaction. */
public class Alert {
    private String rule;
    private String cardId;
    private String txnId;
    private double amount;
    private long ts;

    public Alert() {
    }

    public Alert(String rule, String cardId, String txnId, double amount, long ts) {
        this.rule = rule;
        this.cardId = cardId;
        this.txnId = txnId;
        this.amount = amount;
        this.ts = ts;
    }

    public String getRule() {
        return rule;
    }

    public void setRule(String rule) {
        this.rule = rule;
    }

    public String getCardId() {
        return cardId;
    }

    public void setCardId(String cardId) {
        this.cardId = cardId;
    }

    public String getTxnId() {
        return txnId;
    }

    public void setTxnId(String txnId) {
        this.txnId = txnId;
    }

    public double getAmount() {
        return amount;
    }

    public void setAmount(double amount) {
        this.amount = amount;
    }

    public long getTs() {
        return ts;
    }

    public void setTs(long ts) {
        this.ts = ts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Alert a && rule.equals(a.rule) && cardId.equals(a.cardId) && txnId.equals(a.txnId)
                && amount == a.amount && ts == a.ts;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rule, txnId);
    }

    @Override
    public String toString() {
        return rule + "(" + txnId + ", card " + cardId + ", " + amount + " at " + ts + ")";
    }
}
