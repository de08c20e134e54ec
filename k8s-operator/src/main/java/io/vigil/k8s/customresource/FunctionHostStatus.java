package io.vigil.k8s.customresource;

import io.fabric8.crd.generator.annotation.PrinterColumn;

public class FunctionHostStatus {
    private Long observedGeneration;
    private Integer replicas;
    @PrinterColumn(name = "Ready")
    private Integer readyReplicas;
    /** The headless Service through which each host is reached as {@code <pool>-<i>.<service>}. */
    private String serviceName;
    private Integer draining;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public Integer getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(Integer readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public String getServiceName() {
        return serviceName;
    }

    public void setServiceName(String serviceName) {
        this.serviceName = serviceName;
    }

    /** Pods beyond the spec's replicas kept because they still serve shards (a scale-in waiting for its operators to move). */
    public Integer getDraining() {
        return draining;
    }

    public void setDraining(Integer draining) {
        this.draining = draining;
    }
}
