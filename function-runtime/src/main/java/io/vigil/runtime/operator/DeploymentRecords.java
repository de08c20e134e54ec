package io.vigil.runtime.operator;

import io.vigil.api.proto.DeploymentRecord;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.runtime.state.StoreLayout;
import io.vigil.state.Checkpoint;
import io.vigil.state.CheckpointStore;
import io.vigil.state.RecordAddress;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operators this host must run, kept in its store: a record per deploy, update and undeploy,
 * committed as a checkpoint of the operator's own group, of which the store keeps the newest. No
 * one names these checkpoints by id, so the store may copy them forward to free old segments.
 */
final class DeploymentRecords {
    private static final int TAG = StoreLayout.DEPLOYMENT;

    private final CheckpointStore store;

    DeploymentRecords(CheckpointStore store) {
        this.store = store;
        store.relocatable(StoreLayout.DEPLOYMENT_PREFIX);
    }

    void deployed(OperatorSpec spec, long version, Placement placement, String host) throws IOException {
        commit(DeploymentRecord.newBuilder().setSpec(spec).setVersion(version).setPlacement(placement).setHost(host).build());
    }

    void undeployed(OperatorSpec spec, long version) throws IOException {
        commit(DeploymentRecord.newBuilder().setSpec(spec).setVersion(version).setUndeployed(true).build());
    }

    /** The newest record of every operator still deployed, by name. */
    Map<String, DeploymentRecord> current() throws IOException {
        Map<String, DeploymentRecord> newest = new TreeMap<>();
        for (Checkpoint checkpoint : store.checkpoints()) {
            RecordAddress first = checkpoint.records().get(0);
            if (first.tag() == TAG) {
                DeploymentRecord record = DeploymentRecord.parseFrom(store.read(first));
                newest.put(record.getSpec().getName(), record);
            }
        }
        newest.values().removeIf(DeploymentRecord::getUndeployed);
        return newest;
    }

    private void commit(DeploymentRecord record) throws IOException {
        RecordAddress address = store.append(TAG, record.toByteArray());
        String group = StoreLayout.deploymentGroup(record.getSpec().getName());
        store.release(group, store.commitNext(group, List.of(address)).id());
    }
}
