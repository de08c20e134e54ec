package io.vigil.api.keys;

/**
 * Maps keys to key groups and key groups to shards. The key space is split into a fixed number of
 * key groups (as Flink does); shard s of n owns a contiguous range of them, so re-sharding moves
 * whole key groups. Connector and host both route with this class, so they always agree.
 */
public final class KeyGroups {
    /** Fixed for the life of an operator: state is kept per key group. */
    public static final int COUNT = 128;

    private KeyGroups() {
    }

    public static int ofHash(int keyHash) {
        return murmurFinalize(keyHash) % COUNT;
    }

    public static int of(String key) {
        return ofHash(key.hashCode());
    }

    public static int of(long key) {
        return ofHash(Long.hashCode(key));
    }

    /** The key group of a key as a row's key field holds it: a String, a Long or an Integer. */
    public static int ofKey(Object key) {
        if (key instanceof String text) {
            return of(text);
        }
        if (key instanceof Long number) {
            return of(number.longValue());
        }
        if (key instanceof Integer number) {
            return ofHash(number);
        }
        throw new IllegalArgumentException("a key must be a String, Long or Integer, not " + (key == null ? "null" : key.getClass().getName()));
    }

    public static int shardOf(int keyGroup, int shards) {
        return keyGroup * shards / COUNT;
    }

    /** First key group owned by the shard (inclusive). */
    public static int firstKeyGroup(int shard, int shards) {
        return (shard * COUNT + shards - 1) / shards;
    }

    // MurmurHash3's mixing of one 32-bit block and its finaliser: spreads keys whose hash codes are
    // close together (sequential ids) evenly over the key groups. Non-negative result.
    private static int murmurFinalize(int code) {
        code *= 0xcc9e2d51;
        code = Integer.rotateLeft(code, 15);
        code *= 0x1b873593;
        code = Integer.rotateLeft(code, 13);
        code = code * 5 + 0xe6546b64;
        code ^= 4;
        code ^= code >>> 16;
        code *= 0x85ebca6b;
        code ^= code >>> 13;
        code *= 0xc2b2ae35;
        code ^= code >>> 16;
        return code & Integer.MAX_VALUE;
    }
}
