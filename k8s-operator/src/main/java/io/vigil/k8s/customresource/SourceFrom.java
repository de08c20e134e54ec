package io.vigil.k8s.customresource;

import io.fabric8.generator.annotation.Required;

/** An operator's source kept in a ConfigMap of the operator's namespace. */
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
