package io.vigil.examples.fraud;

/** Ground truth: the generator injected fraud that {@code rule} must flag on transaction {@code txnId}. */
public record ExpectedAlert(Rule rule, String txnId) {
}
