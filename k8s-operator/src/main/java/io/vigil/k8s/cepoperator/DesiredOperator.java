package io.vigil.k8s.cepoperator;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vigil.api.codec.CepOperatorResource;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.k8s.customresource.CepOperator;
import io.vigil.k8s.customresource.SourceFrom;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

/**
 * What a CepOperator asks the host to run: its spec as the control plane takes it, with the source
 * and the artefact read from ConfigMaps where it says so.
 */
final class DesiredOperator {
    private DesiredOperator() {
    }

    /** @throws IllegalArgumentException naming what is missing or wrong */
    static OperatorSpec of(CepOperator resource, KubernetesClient client) {
        Map<?, ?> spec = client.getKubernetesSerialization().convertValue(resource.getSpec(), Map.class);
        String namespace = resource.getMetadata().getNamespace();
        SourceFrom from = resource.getSpec().getSourceFrom();
        String source = from == null ? null : read(client, namespace, from, "spec.sourceFrom", "data", ConfigMap::getData);
        OperatorSpec operator = CepOperatorResource.toOperatorSpec(resource.getMetadata().getName(), spec, source);
        SourceFrom artifact = resource.getSpec().getArtifactFrom();
        if (artifact == null) {
            return operator;
        }
        String encoded = read(client, namespace, artifact, "spec.artifactFrom", "binaryData", ConfigMap::getBinaryData);
        try {
            return operator.toBuilder().setArtifact(ByteString.copyFrom(Base64.getDecoder().decode(encoded))).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.artifactFrom: binaryData " + artifact.getKey() + " of ConfigMap "
                    + artifact.getConfigMap() + " is not base64: " + e.getMessage());
        }
    }

    /** Whether {@code operator} reads its source or its artefact from {@code configMap}. */
    static boolean readsFrom(CepOperator operator, String configMap) {
        SourceFrom source = operator.getSpec().getSourceFrom();
        SourceFrom artifact = operator.getSpec().getArtifactFrom();
        return source != null && configMap.equals(source.getConfigMap()) || artifact != null && configMap.equals(artifact.getConfigMap());
    }

    private static String read(KubernetesClient client, String namespace, SourceFrom from, String path, String section,
                               Function<ConfigMap, Map<String, String>> entries) {
        ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(from.getConfigMap()).get();
        Map<String, String> values = configMap == null ? null : entries.apply(configMap);
        if (values == null || values.get(from.getKey()) == null) {
            throw new IllegalArgumentException(path + ": ConfigMap " + from.getConfigMap() + " has no key " + from.getKey()
                    + " in " + section);
        }
        return values.get(from.getKey());
    }

    /** Whether the host runs {@code desired} already (the host fills in the shard count when a spec leaves it out). */
    static boolean runs(OperatorSpec running, OperatorSpec desired) {
        OperatorSpec comparable = desired.getShards() == 0 ? desired.toBuilder().setShards(running.getShards()).build() : desired;
        return running.equals(comparable);
    }
}
