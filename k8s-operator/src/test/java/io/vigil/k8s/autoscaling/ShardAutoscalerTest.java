package io.vigil.k8s.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.k8s.customresource.Autoscaling;
import io.vigil.k8s.customresource.AutoscalingStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardAutoscalerTest {
    static final Instant START = Instant.parse("2026-12-06T12:00:00Z");

    static Autoscaling policy(int min, int max, double target, int window) {
        Autoscaling policy = new Autoscaling();
        policy.setMinShards(min);
        policy.setMaxShards(max);
        policy.setTargetBusy(target);
        policy.setStabilizationSeconds(window);
        return policy;
    }

    @Test
    void aLoadAboveTheTargetScalesUpOnceItHasLastedTheWindowAndNotAgainWithinOneAfter() {
        Autoscaling policy = policy(1, 8, 0.5, 60);
        AutoscalingStatus recorded = new AutoscalingStatus();
        var first = ShardAutoscaler.decide(policy, 2, List.of(0.9, 0.7), recorded, START);
        assertThat(first.shards()).isEqualTo(2);
        assertThat(first.reason()).isEqualTo("Stabilizing");
        assertThat(recorded.getRecommendedShards()).as("ceil(2 * 0.8 / 0.5)").isEqualTo(4);
        assertThat(recorded.getBusy()).isEqualTo(0.8);

        assertThat(ShardAutoscaler.decide(policy, 2, List.of(0.9, 0.7), recorded, START.plusSeconds(59)).shards()).isEqualTo(2);
        var scaled = ShardAutoscaler.decide(policy, 2, List.of(0.9, 0.7), recorded, START.plusSeconds(60));
        assertThat(scaled.shards()).isEqualTo(4);
        assertThat(scaled.reason()).isEqualTo("ScaledUp");
        assertThat(scaled.message()).contains("busy 0.80 over 2 shards (target 0.50)", "2 -> 4 shards");
        assertThat(recorded.getLastScale()).isEqualTo("2 -> 4 shards");

        // The load goes: the recommendation changes, and nothing moves for a window.
        var idle = ShardAutoscaler.decide(policy, 4, List.of(0.0, 0.1, 0.0, 0.1), recorded, START.plusSeconds(125));
        assertThat(idle.shards()).isEqualTo(4);
        assertThat(idle.reason()).isEqualTo("Stabilizing");
        var down = ShardAutoscaler.decide(policy, 4, List.of(0.0, 0.1, 0.0, 0.1), recorded, START.plusSeconds(185));
        assertThat(down.shards()).isEqualTo(1);
        assertThat(down.reason()).isEqualTo("ScaledDown");
    }

    @Test
    void aLoadWithinTheToleranceOfTheTargetKeepsTheCountAndALoadThatComesAndGoesRestartsTheWindow() {
        Autoscaling policy = policy(1, 8, 0.5, 60);
        AutoscalingStatus recorded = new AutoscalingStatus();
        assertThat(ShardAutoscaler.decide(policy, 3, List.of(0.52, 0.5, 0.48), recorded, START).reason()).isEqualTo("WithinTarget");
        ShardAutoscaler.decide(policy, 3, List.of(1.0, 1.0, 1.0), recorded, START.plusSeconds(10));
        ShardAutoscaler.decide(policy, 3, List.of(0.5, 0.5, 0.5), recorded, START.plusSeconds(40));
        var again = ShardAutoscaler.decide(policy, 3, List.of(1.0, 1.0, 1.0), recorded, START.plusSeconds(80));
        assertThat(again.shards()).as("the load called for 6 shards only 0 s ago").isEqualTo(3);
        assertThat(ShardAutoscaler.decide(policy, 3, List.of(1.0, 1.0, 1.0), recorded, START.plusSeconds(140)).shards()).isEqualTo(6);
    }

    @Test
    void theCountStaysWithinTheBoundsAndACountOutsideThemIsBroughtInAtOnce() {
        Autoscaling policy = policy(2, 4, 0.5, 60);
        AutoscalingStatus recorded = new AutoscalingStatus();
        var capped = ShardAutoscaler.decide(policy, 4, List.of(1.0, 1.0, 1.0, 1.0), recorded, START);
        assertThat(capped.shards()).isEqualTo(4);
        assertThat(capped.reason()).as("8 wanted, 4 at most").isEqualTo("WithinTarget");
        var floor = ShardAutoscaler.decide(policy, 2, List.of(0.0, 0.0), new AutoscalingStatus(), START);
        assertThat(floor.shards()).isEqualTo(2);
        var outside = ShardAutoscaler.decide(policy, 6, List.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5), new AutoscalingStatus(), START);
        assertThat(outside.shards()).isEqualTo(4);
        assertThat(outside.message()).contains("outside 2..4");

        // The load has called for 3 shards for long, but the count was just brought within the bounds: wait a window after it.
        AutoscalingStatus longAgo = new AutoscalingStatus();
        ShardAutoscaler.decide(policy, 4, List.of(0.35, 0.35, 0.35, 0.35), longAgo, START);
        assertThat(longAgo.getRecommendedShards()).isEqualTo(3);
        longAgo.setLastScaleTime(START.plusSeconds(100).toString());
        var coolingDown = ShardAutoscaler.decide(policy, 4, List.of(0.35, 0.35, 0.35, 0.35), longAgo, START.plusSeconds(110));
        assertThat(coolingDown.shards()).isEqualTo(4);
        assertThat(coolingDown.reason()).isEqualTo("CoolingDown");
        assertThat(ShardAutoscaler.initial(policy, 1)).isEqualTo(2);
        assertThat(ShardAutoscaler.initial(policy, 3)).isEqualTo(3);
    }
}
