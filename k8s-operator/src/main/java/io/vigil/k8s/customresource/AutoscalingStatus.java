package io.vigil.k8s.customresource;

/** What autoscaling last measured and recommends, and when it last changed the shard count. */
public class AutoscalingStatus {
    /** The shards' mean busy fraction at the last reconcile. */
    private Double busy;
    /** The shard count the load calls for, and since when it has (RFC 3339). */
    private Integer recommendedShards;
    private String recommendedSince;
    /** When autoscaling last changed the shard count (RFC 3339), and from how many to how many. */
    private String lastScaleTime;
    private String lastScale;

    public Double getBusy() {
        return busy;
    }

    public void setBusy(Double busy) {
        this.busy = busy;
    }

    public Integer getRecommendedShards() {
        return recommendedShards;
    }

    public void setRecommendedShards(Integer recommendedShards) {
        this.recommendedShards = recommendedShards;
    }

    public String getRecommendedSince() {
        return recommendedSince;
    }

    public void setRecommendedSince(String recommendedSince) {
        this.recommendedSince = recommendedSince;
    }

    public String getLastScaleTime() {
        return lastScaleTime;
    }

    public void setLastScaleTime(String lastScaleTime) {
        this.lastScaleTime = lastScaleTime;
    }

    public String getLastScale() {
        return lastScale;
    }

    public void setLastScale(String lastScale) {
        this.lastScale = lastScale;
    }
}
