package io.vigil.k8s.host;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vigil.k8s.customresource.CepOperator;
import io.vigil.k8s.customresource.FunctionHost;
import io.vigil.k8s.customresource.OperatorPlacement;
import java.util.List;

/**
 * How many of a pool's pods must stay: as many as its spec asks for, and every pod that still
 * serves a shard of one of its CepOperators (as their status places them), or still serves a job's
 * streams during a live rescale. A pool scaled in keeps its last pods until their operators have
 * moved off them, so no shard's state goes with a pod.
 */
final class PodsInUse {
    private PodsInUse() {
    }

    static int replicas(FunctionHost pool, KubernetesClient client) {
        int replicas = Math.max(1, pool.getSpec().getReplicas());
        for (CepOperator operator : client.resources(CepOperator.class).inNamespace(pool.getMetadata().getNamespace()).list().getItems()) {
            if (operator.getSpec() == null || !pool.getMetadata().getName().equals(operator.getSpec().getHostPool())
                    || operator.getStatus() == null || operator.getStatus().getPlacement() == null) {
                continue;
            }
            for (OperatorPlacement.PlacedShard shard : operator.getStatus().getPlacement().getShards()) {
                if (shard.getPod() != null) {
                    replicas = Math.max(replicas, shard.getPod() + 1);
                }
            }
            List<Integer> cuttingOver = operator.getStatus().getPlacement().getCuttingOverPods();
            for (int pod : cuttingOver == null ? List.<Integer>of() : cuttingOver) {
                replicas = Math.max(replicas, pod + 1);
            }
        }
        return replicas;
    }
}
