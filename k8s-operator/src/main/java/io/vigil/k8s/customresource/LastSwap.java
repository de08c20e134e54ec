package io.vigil.k8s.customresource;

/** How the last swap on the hosts went, from shard 0's report (the pause is the longest over the shards). */
public class LastSwap {
    private Long version;
    private Boolean stateCarried;
    private Boolean replayed;
    private String takenOver;
    private Long batchesReplayed;
    private Long maxPauseMicros;
    private String summary;

    public Long getVersion() {
        return version;
    }

    public void setVersion(Long version) {
        this.version = version;
    }

    /** False when the new version started with empty state. */
    public Boolean getStateCarried() {
        return stateCarried;
    }

    public void setStateCarried(Boolean stateCarried) {
        this.stateCarried = stateCarried;
    }

    /** Whether the input log was replayed into the new version. */
    public Boolean getReplayed() {
        return replayed;
    }

    public void setReplayed(Boolean replayed) {
        this.replayed = replayed;
    }

    /** What the new version took over as it ran, for example "3 of 4 statement groups"; empty for nothing. */
    public String getTakenOver() {
        return takenOver;
    }

    public void setTakenOver(String takenOver) {
        this.takenOver = takenOver;
    }

    /** Logged batches replayed into the new version, before and at the switch. */
    public Long getBatchesReplayed() {
        return batchesReplayed;
    }

    public void setBatchesReplayed(Long batchesReplayed) {
        this.batchesReplayed = batchesReplayed;
    }

    public Long getMaxPauseMicros() {
        return maxPauseMicros;
    }

    public void setMaxPauseMicros(Long maxPauseMicros) {
        this.maxPauseMicros = maxPauseMicros;
    }

    /** The report as a sentence, as {@code vigil describe} prints it. */
    public String getSummary() {
        return summary;
    }

    public void setSummary(String summary) {
        this.summary = summary;
    }
}
