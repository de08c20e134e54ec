package io.vigil.runtime.state;

import io.vigil.api.proto.ShardCheckpoint;
import io.vigil.api.proto.StateHandle;
import io.vigil.state.Checkpoint;
import io.vigil.state.CheckpointStore;
import io.vigil.state.RecordAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A shard checkpoint found in the store by its handle and read back: its meta, then its payloads
 * in order, each joined from its record and continuations. The shard that took it restores from
 * it; a host that served the shard before a rescale reads it for the shards that took its key groups.
 */
public final class StoredCheckpoint {
    private final CheckpointStore store;
    private final Checkpoint checkpoint;
    private final ShardCheckpoint meta;
    private final List<RecordAddress> records;

    private StoredCheckpoint(CheckpointStore store, Checkpoint checkpoint, ShardCheckpoint meta) {
        this.store = store;
        this.checkpoint = checkpoint;
        this.meta = meta;
        this.records = checkpoint.records().subList(1, checkpoint.records().size());
    }

    /** Receives one payload: its tag, its first record, and its bytes. */
    public interface PayloadVisitor {
        void accept(int tag, RecordAddress first, byte[] bytes) throws Exception;
    }

    /**
     * The checkpoint {@code handle} names in the series {@code group} of the handle's operator and
     * shard: by the store's id, or, for a handle written before its acknowledgement, the one its
     * job's barrier made.
     */
    public static StoredCheckpoint find(CheckpointStore store, HandleSeal seal, String group, StateHandle handle) throws IOException {
        String which = "checkpoint " + handle.getCheckpointId() + " of operator '" + handle.getOperator() + "' shard " + handle.getShard();
        if (handle.getStoreIncarnation() != store.incarnation()) {
            throw new IOException(which + " was taken in another state store (incarnation " + Long.toHexString(handle.getStoreIncarnation())
                    + "; this host's is " + Long.toHexString(store.incarnation()) + "): the state directory was replaced or"
                    + " made anew since; restore the job from a checkpoint taken after that, or start it without one");
        }
        seal.verify(handle);
        Checkpoint checkpoint = handle.getStoreCheckpoint() == 0 ? madeBy(store, group, handle, which)
                : store.checkpoint(handle.getStoreCheckpoint()).orElseThrow(() -> new IOException(
                which + " (store checkpoint " + handle.getStoreCheckpoint() + ") is not in the state store: it was released"
                        + " after a later checkpoint completed, or lost to damage the host was told to discard;"
                        + " restore the job from a later checkpoint"));
        ShardCheckpoint meta = ShardCheckpoint.parseFrom(store.read(checkpoint.records().get(0)));
        if (!checkpoint.group().equals(group) || meta.getShard() != handle.getShard() || meta.getCheckpointId() != handle.getCheckpointId()) {
            throw new IOException(which + " names store checkpoint " + handle.getStoreCheckpoint() + ", which holds checkpoint "
                    + meta.getCheckpointId() + " of " + checkpoint.group() + ": the handle does not belong to this store");
        }
        return new StoredCheckpoint(store, checkpoint, meta);
    }

    private static Checkpoint madeBy(CheckpointStore store, String group, StateHandle handle, String which) throws IOException {
        Checkpoint found = null;
        for (Checkpoint candidate : store.checkpoints()) {
            if (!candidate.group().equals(group)) {
                continue;
            }
            ShardCheckpoint meta = ShardCheckpoint.parseFrom(store.read(candidate.records().get(0)));
            if (meta.getCheckpointId() == handle.getCheckpointId() && meta.getJob().equals(handle.getJob())) {
                found = candidate;
            }
        }
        if (found == null) {
            throw new IOException(which + " of job " + handle.getJob() + " is not in the state store: the host never made it"
                    + " durable (the checkpoint did not complete), it was released after a later checkpoint completed, or it was"
                    + " lost to damage the host was told to discard; restore the job from another checkpoint");
        }
        return found;
    }

    public ShardCheckpoint meta() {
        return meta;
    }

    /** The store's id of the checkpoint. */
    public long id() {
        return checkpoint.id();
    }

    /** The records after the meta, as the root names them. */
    List<RecordAddress> records() {
        return records;
    }

    /** Reads, one at a time, the payloads whose tag {@code wanted} accepts, each joined with its continuations. */
    public void forEachPayload(IntPredicate wanted, PayloadVisitor visitor) throws Exception {
        int i = 0;
        while (i < records.size()) {
            RecordAddress first = records.get(i);
            int end = i + 1;
            while (end < records.size() && (records.get(end).tag() & StoreLayout.CONTINUED) != 0) {
                end++;
            }
            if (wanted.test(first.tag())) {
                byte[] bytes;
                if (end == i + 1) {
                    bytes = store.read(first);
                } else {
                    ByteArrayOutputStream joined = new ByteArrayOutputStream();
                    for (RecordAddress part : records.subList(i, end)) {
                        joined.write(store.read(part));
                    }
                    bytes = joined.toByteArray();
                }
                visitor.accept(first.tag(), first, bytes);
            }
            i = end;
        }
    }

    /**
     * Every payload in order, with the input log's chunks read through their index record into the
     * records they name, and pins (which only hold a segment) left out.
     */
    public void forEachRecord(PayloadVisitor visitor) throws Exception {
        forEachPayload(tag -> tag != StoreLayout.LOG_PIN, (tag, first, bytes) -> {
            if (tag != StoreLayout.LOG_INDEX) {
                visitor.accept(tag, first, bytes);
                return;
            }
            ByteBuffer entries = ByteBuffer.wrap(bytes);
            while (entries.hasRemaining()) {
                RecordAddress address = RecordAddress.readFrom(entries);
                visitor.accept(address.tag(), address, store.read(address));
            }
        });
    }
}
