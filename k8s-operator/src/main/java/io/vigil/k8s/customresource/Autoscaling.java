package io.vigil.k8s.customresource;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Lets the operator's shard count follow its load: the shards' threads are kept near
 * {@code targetBusy} (the fraction of time each spends working, as the hosts measure it), between
 * {@code minShards} and {@code maxShards}; a change waits until the load has called for it for
 * {@code stabilizationSeconds}, and the next until as long again after it. Set, it overrides
 * {@code spec.shards} after the first deploy.
 */
public class Autoscaling {
    @Min(1)
    @Max(128)
    private Integer minShards;
    @Min(1)
    @Max(128)
    private Integer maxShards;
    @Min(0.05)
    @Max(1.0)
    private Double targetBusy;
    @Min(0)
    private Integer stabilizationSeconds;

    public int minShards() {
        return minShards == null ? 1 : minShards;
    }

    public int maxShards() {
        return maxShards == null ? Math.max(minShards(), 8) : Math.max(maxShards, minShards());
    }

    public double targetBusy() {
        return targetBusy == null ? 0.7 : targetBusy;
    }

    public int stabilizationSeconds() {
        return stabilizationSeconds == null ? 60 : stabilizationSeconds;
    }

    public Integer getMinShards() {
        return minShards;
    }

    public void setMinShards(Integer minShards) {
        this.minShards = minShards;
    }

    public Integer getMaxShards() {
        return maxShards;
    }

    public void setMaxShards(Integer maxShards) {
        this.maxShards = maxShards;
    }

    public Double getTargetBusy() {
        return targetBusy;
    }

    public void setTargetBusy(Double targetBusy) {
        this.targetBusy = targetBusy;
    }

    public Integer getStabilizationSeconds() {
        return stabilizationSeconds;
    }

    public void setStabilizationSeconds(Integer stabilizationSeconds) {
        this.stabilizationSeconds = stabilizationSeconds;
    }
}
