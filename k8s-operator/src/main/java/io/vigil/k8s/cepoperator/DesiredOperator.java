package io.vigil.k8s.cepoperator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vigil.api.codec.CepOperatorResource;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.k8s.customresource.CepOperator;
import io.vigil.k8s.customresource.SourceFrom;
import java.util.Map;

/** What a CepOperator asks the host to run: its spec as the control plane takes it, with the source read from a ConfigMap where it says so. */
final class DesiredOperator {
    private DesiredOperator() {
    }

    /** @throws IllegalArgumentException naming what is missing or wrong */
    static OperatorSpec of(CepOperator resource, KubernetesClient client) {
        Map<?, ?> spec = client.getKubernetesSerialization().convertValue(resource.getSpec(), Map.class);
        SourceFrom from = resource.getSpec().getSourceFrom();
        String source = null;
        if (from != null) {
            ConfigMap configMap = client.configMaps().inNamespace(resource.getMetadata().getNamespace()).withName(from.getConfigMap()).get();
            if (configMap == null || configMap.getData() == null || configMap.getData().get(from.getKey()) == null) {
                throw new IllegalArgumentException("spec.sourceFrom: ConfigMap " + from.getConfigMap() + " has no key " + from.getKey());
            }
            source = configMap.getData().get(from.getKey());
        }
        return CepOperatorResource.toOperatorSpec(resource.getMetadata().getName(), spec, source);
    }

    /** Whether the host runs {@code desired} already (the host fills in the shard count when a spec leaves it out). */
    static boolean runs(OperatorSpec running, OperatorSpec desired) {
        OperatorSpec comparable = desired.getShards() == 0 ? desired.toBuilder().setShards(running.getShards()).build() : desired;
        return running.equals(comparable);
    }
}
