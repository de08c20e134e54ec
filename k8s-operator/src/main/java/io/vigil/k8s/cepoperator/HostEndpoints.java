package io.vigil.k8s.cepoperator;

import java.util.ArrayList;
import java.util.List;

import io.vigil.k8s.customresource.FunctionHost;

/** How to reach a pool's hosts: the control- and data-plane address of each pod, in ordinal order. */
@FunctionalInterface
public interface HostEndpoints {
    /** One address per pod of the pool, pod {@code i} at index {@code i}, for {@code replicas} pods. */
    List<String> endpoints(FunctionHost pool, int replicas);

    /** The pool's pods as its spec asks for them. */
    default List<String> endpoints(FunctionHost pool) {
        return endpoints(pool, Math.max(1, pool.getSpec().getReplicas()));
    }

    /** Inside the cluster: pod {@code i} of the pool through the pool's headless Service. */
    static HostEndpoints clusterDns() {
        return (pool, replicas) -> {
            String name = pool.getMetadata().getName();
            List<String> endpoints = new ArrayList<>();
            for (int pod = 0; pod < replicas; pod++) {
                endpoints.add(name + "-" + pod + "." + name + "." + pool.getMetadata().getNamespace() + ".svc:" + pool.getSpec().getPort());
            }
            return endpoints;
        };
    }
}
