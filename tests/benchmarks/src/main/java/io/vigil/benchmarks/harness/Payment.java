package io.vigil.benchmarks.harness;

import io.vigil.examples.fraud.Transaction;

/**
 * The harness's input: the example's transaction plus {@code bornNanos}, the moment the source
 * emitted it, so every variant's alerts can be timed end to end the same way.
 */
public final class Payment extends Transaction {
    private long bornNanos;

    public Payment() {
    }

    public Payment(Transaction transaction, long bornNanos) {
        super(transaction.getTxnId(), transaction.getCardId(), transaction.getMerchantId(), transaction.getAmount(),
                transaction.getLat(), transaction.getLon(), transaction.getTs());
        this.bornNanos = bornNanos;
    }

    public long getBornNanos() {
        return bornNanos;
    }

    public void setBornNanos(long bornNanos) {
        this.bornNanos = bornNanos;
    }
}
