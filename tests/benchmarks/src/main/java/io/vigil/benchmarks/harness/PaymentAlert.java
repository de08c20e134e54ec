package io.vigil.benchmarks.harness;

/** A SMALL_THEN_LARGE alert, carrying the large payment's {@code bornNanos} for timing. */
public final class PaymentAlert {
    private String rule;
    private String cardId;
    private String txnId;
    private long ts;
    private long bornNanos;

    public PaymentAlert() {
    }

    public PaymentAlert(String rule, String cardId, String txnId, long ts, long bornNanos) {
        this.rule = rule;
        this.cardId = cardId;
        this.txnId = txnId;
        this.ts = ts;
        this.bornNanos = bornNanos;
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
