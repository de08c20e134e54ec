package io.vigil.benchmarks.harness;

/**
 * The harness's input: a transaction plus {@code bornNanos}, the moment the source emitted it, so
 * every variant's alerts can be timed end to end the same way.
 */
public final class Payment {
    private String txnId;
    private String cardId;
    private double amount;
    private long ts;
    private long bornNanos;

    public Payment() {
    }

    public Payment(String txnId, String cardId, double amount, long ts, long bornNanos) {
        this.txnId = txnId;
        this.cardId = cardId;
        this.amount = amount;
        this.ts = ts;
        this.bornNanos = bornNanos;
    }

    public String getTxnId() {
        return txnId;
    }

    public void setTxnId(String txnId) {
        this.txnId = txnId;
    }

    public String getCardId() {
        return cardId;
    }

    public void setCardId(String cardId) {
        this.cardId = cardId;
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

    public long getBornNanos() {
        return bornNanos;
    }

    public void setBornNanos(long bornNanos) {
        this.bornNanos = bornNanos;
    }
}
