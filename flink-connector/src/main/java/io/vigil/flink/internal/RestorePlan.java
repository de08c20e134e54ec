package io.vigil.flink.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.api.proto.StateHandle;
import io.vigil.flink.VigilConnectorException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each shard restores when the job restores a checkpoint: the shard's own checkpoint when
 * the shard ran where it runs now, with the same key groups; else, after a rescale, the
 * checkpoints of every shard of the placement before whose key groups overlap its own.
 */
final class RestorePlan {
    private final byte[][] own;
    private final List<List<byte[]>> rescaledFrom;

    private RestorePlan(byte[][] own, List<List<byte[]>> rescaledFrom) {
        this.own = own;
        this.rescaledFrom = rescaledFrom;
    }

    /** A handle and its bytes, as the restored state holds them. */
    private record Stored(StateHandle handle, byte[] bytes) {
    }

    /**
     * @param handles   the handles in the restored (union) state: every subtask wrote one per shard
     * @param placement the operator's placement now, each shard naming its host as the handles name hosts
     */
    static RestorePlan of(List<byte[]> handles, String operator, Placement placement) throws InvalidProtocolBufferException {
        int shards = placement.getShardsCount();
        // One per shard of the checkpoint (every subtask wrote the same), the newest if several.
        Map<String, Stored> distinct = new LinkedHashMap<>();
        for (byte[] bytes : handles) {
            StateHandle handle = StateHandle.parseFrom(bytes);
            if (!handle.getOperator().equals(operator)) {
                throw new VigilConnectorException("restored state handle is for operator '" + handle.getOperator()
                        + "', but this job calls '" + operator + "'");
            }
            String key = handle.getShard() + "/" + handle.getFirstKeyGroup() + "-" + handle.getEndKeyGroup() + "@" + handle.getHost();
            Stored seen = distinct.get(key);
            if (seen == null || handle.getCheckpointId() > seen.handle().getCheckpointId()) {
                distinct.put(key, new Stored(handle, bytes));
            }
        }
        byte[][] own = new byte[shards][];
        List<List<byte[]>> rescaledFrom = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            ShardPlacement placed = placement.getShards(s);
            List<byte[]> overlapping = new ArrayList<>();
            for (Stored stored : distinct.values()) {
                StateHandle handle = stored.handle();
                // A handle from before placements named no key groups: it was shard s of the same count.
                boolean unranged = handle.getFirstKeyGroup() == 0 && handle.getEndKeyGroup() == 0;
                int first = unranged ? placed.getFirstKeyGroup() : handle.getFirstKeyGroup();
                int end = unranged ? placed.getEndKeyGroup() : handle.getEndKeyGroup();
                if (unranged && handle.getShard() != s) {
                    continue;
                }
                if (handle.getShard() == s && first == placed.getFirstKeyGroup() && end == placed.getEndKeyGroup()
                        && (unranged || handle.getHost().equals(placed.getHost()))) {
                    own[s] = stored.bytes();
                } else if (first < placed.getEndKeyGroup() && end > placed.getFirstKeyGroup()) {
                    overlapping.add(stored.bytes());
                }
            }
            rescaledFrom.add(own[s] == null ? overlapping : List.of());
        }
        return new RestorePlan(own, rescaledFrom);
    }

    /** The shard's own checkpoint to restore, or null. */
    byte[] own(int shard) {
        return own[shard];
    }

    /** The checkpoints of the shards before a rescale to restore by key group; empty when none. */
    List<byte[]> rescaledFrom(int shard) {
        return rescaledFrom.get(shard);
    }
}
