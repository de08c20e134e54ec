package io.vigil.runtime.state;

import io.vigil.api.proto.ShardPlacement;

/**
 * What the host keeps in its store, declared in one place: the tag of every kind of record, and
 * the group key of every series of checkpoints. Keys are compared exactly, so no two series share
 * retention or release.
 */
public final class StoreLayout {
    /** A shard checkpoint's first record: its {@code ShardCheckpoint} meta. */
    public static final int SHARD_META = 1;
    /** A batch of a shard's input log, as its encoded frame. */
    public static final int LOGGED_BATCH = 2;
    /** A clock advance in a shard's input log. */
    public static final int LOGGED_ADVANCE = 3;
    /** A shard instance's native snapshot. */
    public static final int NATIVE_SNAPSHOT = 4;
    /** The events a shard held for the watermark at a checkpoint, as an encoded frame whose watermark is the one released through. */
    public static final int HELD_EVENTS = 5;
    /** What a shard instance's state changed by since the checkpoint before (applied after its native snapshot). */
    public static final int NATIVE_INCREMENT = 6;
    /** A {@code KeptResults}: the answers a stream had not passed on at a checkpoint, to hand back at a restore. */
    public static final int KEPT_RESULTS = 7;
    /**
     * The addresses (segment, offset, length, tag; 16 bytes each) of a run of consecutive records
     * of a shard's input log: a checkpoint names a full run by this one record instead of each.
     */
    public static final int LOG_INDEX = 8;
    /**
     * A record of a shard's input log that a checkpoint names only so the store keeps its segment
     * (the store keeps what a root names, and an index record lies after the records it indexes);
     * a restore skips it.
     */
    public static final int LOG_PIN = 9;
    /**
     * Added to a tag: the record continues the one before it. A payload larger than a record may be
     * (a snapshot of millions of keys, say) is written as a record and its continuations.
     */
    public static final int CONTINUED = 0x100;
    /** A {@code DeploymentRecord}: which version of an operator the host must run. */
    public static final int DEPLOYMENT = 16;

    private StoreLayout() {
    }

    /**
     * The checkpoints of one shard of an operator with the key groups it owns: after a rescale, a
     * shard of the same number owning other key groups starts a series of its own.
     */
    public static String shardGroup(String operator, ShardPlacement shard) {
        // The shard first: the rest of the key is the whole name, so no two meet.
        return "shard/" + shard.getShard() + ":" + shard.getFirstKeyGroup() + "-" + shard.getEndKeyGroup() + "/" + operator;
    }

    /** The deployment records of one operator. */
    public static String deploymentGroup(String operator) {
        return DEPLOYMENT_PREFIX + operator;
    }

    /** The start of every deployment group's key. */
    public static final String DEPLOYMENT_PREFIX = "deployment/";

    /** The operator a group of checkpoints belongs to, or null for a key of none. */
    public static String operatorOf(String group) {
        if (group.startsWith(DEPLOYMENT_PREFIX)) {
            return group.substring(DEPLOYMENT_PREFIX.length());
        }
        int afterShard = group.startsWith("shard/") ? group.indexOf('/', "shard/".length()) : -1;
        return afterShard < 0 ? null : group.substring(afterShard + 1);
    }
}
