package io.vigil.benchmarks.harness;

import io.vigil.examples.fraud.Alert;

/** The example's alert plus the {@code bornNanos} of the payment that raised it, for timing. */
public final class PaymentAlert extends Alert {
    private long bornNanos;

    public PaymentAlert() {
    }

    public PaymentAlert(String rule, String cardId, String txnId, long ts, long bornNanos) {
        super(rule, cardId, txnId, 0, ts);
        this.bornNanos = bornNanos;
    }

    public long getBornNanos() {
        return bornNanos;
    }

    public void setBornNanos(long bornNanos) {
        this.bornNanos = bornNanos;
    }
}
