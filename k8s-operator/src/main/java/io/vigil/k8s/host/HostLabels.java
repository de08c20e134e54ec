package io.vigil.k8s.host;

import io.vigil.k8s.customresource.FunctionHost;
import java.util.Map;

/** The labels that tie a pool's pods, StatefulSet and Service together. */
final class HostLabels {
    private HostLabels() {
    }

    static Map<String, String> of(FunctionHost pool) {
        return Map.of("app.kubernetes.io/name", "vigil-function-host",
                "app.kubernetes.io/instance", pool.getMetadata().getName(),
                "app.kubernetes.io/managed-by", "vigil-operator");
    }
}
