package io.vigil.k8s.autoscaling;

import io.vigil.k8s.customresource.Autoscaling;
import io.vigil.k8s.customresource.AutoscalingStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Chooses an operator's shard count from how busy its shards' threads are, as a Kubernetes
 * HorizontalPodAutoscaler chooses replicas: the count that would bring the mean busy fraction to
 * the target, left alone within a tolerance of it, bounded by the policy, changed only once the
 * load has called for the same count for the whole stabilization window, and not again before a
 * window has passed since the last change.
 */
public final class ShardAutoscaler {
    /** Within 10 % of the target, the count stays: readings wobble. */
    static final double TOLERANCE = 0.1;

    private ShardAutoscaler() {
    }

    /**
     * @param shards   the shard count that runs
     * @param busy     each running shard's busy fraction
     * @param recorded what the last reconcile recorded (updated in place)
     * @return the shard count to run now, and why
     */
    public static Decision decide(Autoscaling policy, int shards, List<Double> busy, AutoscalingStatus recorded, Instant now) {
        int min = policy.minShards();
        int max = policy.maxShards();
        double mean = busy.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double target = policy.targetBusy();
        int recommended = Math.abs(mean / target - 1) <= TOLERANCE ? shards : (int) Math.ceil(shards * mean / target);
        recommended = Math.max(min, Math.min(max, recommended));
        if (recorded.getRecommendedShards() == null || recorded.getRecommendedShards() != recommended) {
            recorded.setRecommendedShards(recommended);
            recorded.setRecommendedSince(now.toString());
        }
        recorded.setBusy(Math.round(mean * 1000) / 1000.0);
        String measured = String.format(Locale.ROOT, "busy %.2f over %d shards (target %.2f)", mean, shards, target);
        if (shards < min || shards > max) {
            return scaled(recorded, now, shards, recommended, measured + ", outside " + min + ".." + max);
        }
        if (recommended == shards) {
            return new Decision(shards, "WithinTarget", measured);
        }
        Duration window = Duration.ofSeconds(policy.stabilizationSeconds());
        Instant since = Instant.parse(recorded.getRecommendedSince());
        if (Duration.between(since, now).compareTo(window) < 0) {
            return new Decision(shards, "Stabilizing", measured + " calls for " + recommended + " shards since " + since
                    + "; waiting " + window.getSeconds() + " s");
        }
        if (recorded.getLastScaleTime() != null && Duration.between(Instant.parse(recorded.getLastScaleTime()), now).compareTo(window) < 0) {
            return new Decision(shards, "CoolingDown", measured + " calls for " + recommended + " shards; the last change was at "
                    + recorded.getLastScaleTime());
        }
        return scaled(recorded, now, shards, recommended, measured + " for " + window.getSeconds() + " s");
    }

    private static Decision scaled(AutoscalingStatus recorded, Instant now, int from, int to, String why) {
        recorded.setLastScaleTime(now.toString());
        recorded.setLastScale(from + " -> " + to + " shards");
        return new Decision(to, to > from ? "ScaledUp" : "ScaledDown", why + ": " + from + " -> " + to + " shards");
    }

    /** A first deploy's shard count: the spec's, within the policy's bounds. */
    public static int initial(Autoscaling policy, int specShards) {
        return Math.max(policy.minShards(), Math.min(policy.maxShards(), specShards));
    }

    /** The shard count to run, and the reason and message for the {@code Autoscaled} condition. */
    public record Decision(int shards, String reason, String message) {
    }
}
