package io.vigil.k8s.cepoperator;

import io.vigil.k8s.customresource.FunctionHost;

/** Where, in a pool, an operator runs: the control- and data-plane address of its host. */
@FunctionalInterface
public interface HostEndpoints {
    String endpoint(FunctionHost pool, String operator);

    /**
     * Inside the cluster: the operator's host is pod {@code hash(name) mod replicas} of the pool,
     * reached through the pool's headless Service — a stable placement across reconciles.
     */
    static HostEndpoints clusterDns() {
        return (pool, operator) -> {
            int replicas = Math.max(1, pool.getSpec().getReplicas());
            String name = pool.getMetadata().getName();
            return name + "-" + Math.floorMod(operator.hashCode(), replicas) + "." + name + "."
                    + pool.getMetadata().getNamespace() + ".svc:" + pool.getSpec().getPort();
        };
    }
}
