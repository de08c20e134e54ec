package io.vigil.runtime.placement;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.vigil.api.security.TransportSecurity;
import io.vigil.runtime.state.HandleSeal;
import io.vigil.api.proto.CheckpointRecord;
import io.vigil.api.proto.ControlPlaneGrpc;
import io.vigil.api.proto.ReadCheckpointRequest;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.runtime.state.StoreLayout;
import io.vigil.runtime.state.StoredCheckpoint;
import io.vigil.state.CheckpointStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads shard checkpoints restricted to a range of key groups: from this host's store when the
 * handle names it, else from the host the handle names, over its {@code ReadCheckpoint} call.
 * How a shard of a new placement gets the state of the shards it took key groups from.
 */
public final class PeerCheckpoints implements AutoCloseable {
    private static final long READ_TIMEOUT_SECONDS = 300;
    private final CheckpointStore store;
    private final Map<String, ManagedChannel> peers = new ConcurrentHashMap<>();
    private final TransportSecurity security;
    private final HandleSeal seal;

    /**
     * @param store    this host's store, or null when it keeps none
     * @param seal     what the handles this host's store issued carry
     * @param security how this host reaches the others of its pool
     */
    public PeerCheckpoints(CheckpointStore store, HandleSeal seal, TransportSecurity security) {
        this.store = store;
        this.seal = seal;
        this.security = security;
    }

    /** The checkpoint's records for key groups {@code first <= group < end}, in order, its meta first. */
    public List<CheckpointRecord> read(OperatorDefinition definition, StateHandle handle, int first, int end) throws IOException {
        List<CheckpointRecord> records = new ArrayList<>();
        if (store != null && handle.getStoreIncarnation() == store.incarnation()) {
            readHere(definition, handle, first, end, records::add);
            return records;
        }
        if (handle.getHost().isEmpty()) {
            throw new IOException("checkpoint " + handle.getCheckpointId() + " of operator '" + handle.getOperator() + "' shard "
                    + handle.getShard() + " was taken in another host's store, and its handle does not name that host");
        }
        ManagedChannel channel = peers.computeIfAbsent(handle.getHost(),
                host -> security.channel(host, 64 << 20));
        try {
            Iterator<CheckpointRecord> answers = ControlPlaneGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .readCheckpoint(ReadCheckpointRequest.newBuilder().setHandle(handle.toByteString())
                            .setFirstKeyGroup(first).setEndKeyGroup(end).build());
            answers.forEachRemaining(records::add);
            return records;
        } catch (StatusRuntimeException e) {
            throw new IOException("reading checkpoint " + handle.getCheckpointId() + " of operator '" + handle.getOperator()
                    + "' shard " + handle.getShard() + " from host " + handle.getHost() + " failed: " + e.getStatus(), e);
        }
    }

    /** The records of a checkpoint in this host's store, for key groups {@code first <= group < end}. */
    public void readHere(OperatorDefinition definition, StateHandle handle, int first, int end, Consumer<CheckpointRecord> out)
            throws IOException {
        if (store == null) {
            throw new IOException("this host keeps no state (no state directory), so it holds no checkpoint to read");
        }
        String group = StoreLayout.shardGroup(handle.getOperator(), ShardPlacement.newBuilder().setShard(handle.getShard())
                .setFirstKeyGroup(handle.getFirstKeyGroup()).setEndKeyGroup(handle.getEndKeyGroup()).build());
        StoredCheckpoint checkpoint = StoredCheckpoint.find(store, seal, group, handle);
        try {
            new CheckpointSlice(definition, first, end).read(checkpoint, out);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("reading checkpoint " + handle.getCheckpointId() + " of operator '" + handle.getOperator()
                    + "' shard " + handle.getShard() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        peers.values().forEach(ManagedChannel::shutdownNow);
        peers.clear();
    }
}
