package io.vigil.k8s.customresource;

import io.fabric8.generator.annotation.Default;

/**
 * Where each host keeps its state store: a PersistentVolumeClaim per pod (the default), or a
 * directory on the node — a DAX-mounted persistent-memory file system — when {@code hostPath} is set.
 */
public class StateVolume {
    @Default("8Gi")
    private String size = "8Gi";
    private String storageClassName;
    private String hostPath;

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }

    public String getStorageClassName() {
        return storageClassName;
    }

    public void setStorageClassName(String storageClassName) {
        this.storageClassName = storageClassName;
    }

    public String getHostPath() {
        return hostPath;
    }

    public void setHostPath(String hostPath) {
        this.hostPath = hostPath;
    }
}
