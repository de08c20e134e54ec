package io.vigil.k8s.customresource;

import java.util.ArrayList;
import java.util.List;

/** Where a CepOperator's shards run: the placement's epoch, and each shard's pod of the pool. */
public class OperatorPlacement {
    private Long epoch;
    private List<PlacedShard> shards = new ArrayList<>();
    private List<Integer> cuttingOverPods;

    /**
     * During a live rescale: the pods whose shards of the placement before still serve the job's
     * streams until they cut over; the pool keeps them meanwhile. Absent otherwise.
     */
    public List<Integer> getCuttingOverPods() {
        return cuttingOverPods;
    }

    public void setCuttingOverPods(List<Integer> cuttingOverPods) {
        this.cuttingOverPods = cuttingOverPods;
    }

    /** Grows with every change of the placement. */
    public Long getEpoch() {
        return epoch;
    }

    public void setEpoch(Long epoch) {
        this.epoch = epoch;
    }

    public List<PlacedShard> getShards() {
        return shards;
    }

    public void setShards(List<PlacedShard> shards) {
        this.shards = shards;
    }

    /** One shard: its pod (the ordinal in the pool's StatefulSet), that pod's address, and its key groups. */
    public static class PlacedShard {
        private Integer shard;
        private Integer pod;
        private String host;
        private String keyGroups;

        public Integer getShard() {
            return shard;
        }

        public void setShard(Integer shard) {
            this.shard = shard;
        }

        public Integer getPod() {
            return pod;
        }

        public void setPod(Integer pod) {
            this.pod = pod;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        /** {@code first-last}, inclusive. */
        public String getKeyGroups() {
            return keyGroups;
        }

        public void setKeyGroups(String keyGroups) {
            this.keyGroups = keyGroups;
        }
    }
}
