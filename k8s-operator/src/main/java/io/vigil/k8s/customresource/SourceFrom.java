package io.vigil.k8s.customresource;

import io.fabric8.generator.annotation.Required;

/** A key of a ConfigMap in the operator's namespace: the operator's source (in data), or its artefact (in binaryData). */
public class SourceFrom {
    @Required
    private String configMap;
    @Required
    private String key;

    public String getConfigMap() {
        return configMap;
    }

    public void setConfigMap(String configMap) {
        this.configMap = configMap;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }
}
