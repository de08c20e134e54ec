package io.vigil.examples.fraud;

import java.util.Objects;

/**
 * A card transaction; {@code ts} is event time in epoch milliseconds, {@code lat}/{@code lon} where
 * it happened. Not final: the benchmarks' payments extend it with a timing field.
 */
public class Transaction {
    private String txnId;
    private String cardId;
    private String merchantId;
    private double amount;
    private double lat;
    private double lon;
    private long ts;

    public Transaction() {
    }

    public Transaction(String txnId, String cardId, String merchantId, double amount, double lat, double lon, long ts) {
        this.txnId = txnId;
        this.cardId = cardId;
        this.merchantId = merchantId;
        this.amount = amount;
        this.lat = lat;
        this.lon = lon;
        this.ts = ts;
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

    public String getMerchantId() {
        return merchantId;
    }

    public void setMerchantId(String merchantId) {
        this.merchantId = merchantId;
    }

    public double getAmount() {
        return amount;
    }

    public void setAmount(double amount) {
        this.amount = amount;
    }

    public double getLat() {
        return lat;
    }

    public void setLat(double lat) {
        this.lat = lat;
    }

    public double getLon() {
        return lon;
    }

    public void setLon(double lon) {
        this.lon = lon;
    }

    public long getTs() {
        return ts;
    }

    public void setTs(long ts) {
        this.ts = ts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transaction t && txnId.equals(t.txnId) && cardId.equals(t.cardId) && merchantId.equals(t.merchantId)
                && amount == t.amount && lat == t.lat && lon == t.lon && ts == t.ts;
    }

    @Override
    public int hashCode() {
        return Objects.hash(txnId, cardId, ts);
    }

    @Override
    public String toString() {
        return txnId + "{card=" + cardId + ", merchant=" + merchantId + ", amount=" + amount + ", at=" + lat + "," + lon + ", ts=" + ts + "}";
    }
}
