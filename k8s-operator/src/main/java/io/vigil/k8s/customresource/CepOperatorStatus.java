package io.vigil.k8s.customresource;

import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator's hosts run: the version active, where, and the Compiled, Ready and Swapping conditions. */
public class CepOperatorStatus {
    private Long observedGeneration;
    @PrinterColumn(name = "Version")
    private Long activeVersion;
    @PrinterColumn(name = "Endpoint")
    private String endpoint;
    private List<Condition> conditions = new ArrayList<>();
    @PrinterColumn(name = "Last swap ms")
    private Long lastSwapMillis;
    private LastSwap lastSwap;
    private OperatorPlacement placement;
    private AutoscalingStatus autoscaling;

    /** With spec.autoscaling: what it measured, recommends and last did. */
    public AutoscalingStatus getAutoscaling() {
        return autoscaling;
    }

    public void setAutoscaling(AutoscalingStatus autoscaling) {
        this.autoscaling = autoscaling;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Long getActiveVersion() {
        return activeVersion;
    }

    public void setActiveVersion(Long activeVersion) {
        this.activeVersion = activeVersion;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Long getLastSwapMillis() {
        return lastSwapMillis;
    }

    public void setLastSwapMillis(Long lastSwapMillis) {
        this.lastSwapMillis = lastSwapMillis;
    }

    public LastSwap getLastSwap() {
        return lastSwap;
    }

    public void setLastSwap(LastSwap lastSwap) {
        this.lastSwap = lastSwap;
    }

    /** Where the shards run; the endpoint above lists the hosts serving them, as the connector takes them. */
    public OperatorPlacement getPlacement() {
        return placement;
    }

    public void setPlacement(OperatorPlacement placement) {
        this.placement = placement;
    }
}
