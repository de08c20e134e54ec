package io.vigil.api.placement;

import io.vigil.api.keys.KeyGroups;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.ShardPlacement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds and reads an operator's {@link Placement}: which host serves each shard, and the key
 * groups each shard owns. Whoever deploys (the command line, the Kubernetes operator) builds it;
 * hosts and connectors read it with these methods, so they agree on where a key lives.
 */
public final class Placements {
    /** The placement of an operator deployed to one host: every shard on the host that is asked. */
    public static final String THIS_HOST = "";

    private Placements() {
    }

    /** Every shard on the host that is asked. */
    public static Placement onOneHost(int shards) {
        return spread(shards, List.of(THIS_HOST), 1);
    }

    /**
     * Shard s goes to host s mod hosts: neighbouring shards (neighbouring key ranges) land on
     * different hosts, and each host gets an equal share, give or take one.
     */
    public static Placement spread(int shards, List<String> hosts, long epoch) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a placement needs at least one host");
        }
        if (new LinkedHashSet<>(hosts).size() != hosts.size()) {
            throw new IllegalArgumentException("the hosts of a pool must differ: " + hosts);
        }
        Placement.Builder placement = Placement.newBuilder().setEpoch(epoch);
        for (int s = 0; s < shards; s++) {
            placement.addShards(ShardPlacement.newBuilder()
                    .setShard(s)
                    .setHost(hosts.get(s % hosts.size()))
                    .setFirstKeyGroup(KeyGroups.firstKeyGroup(s, shards))
                    .setEndKeyGroup(KeyGroups.firstKeyGroup(s + 1, shards)));
        }
        return placement.build();
    }

    /** The placement with {@link #THIS_HOST} replaced by {@code asked}, the host that answered with it. */
    public static Placement resolved(Placement placement, String asked) {
        Placement.Builder resolved = placement.toBuilder();
        for (ShardPlacement.Builder shard : resolved.getShardsBuilderList()) {
            if (shard.getHost().equals(THIS_HOST)) {
                shard.setHost(asked);
            }
        }
        List<String> hosts = new ArrayList<>(resolved.getHostsList());
        hosts.replaceAll(host -> host.equals(THIS_HOST) ? asked : host);
        return resolved.clearHosts().addAllHosts(hosts).build();
    }

    /** The host serving {@code shard}; {@link #THIS_HOST} for the host that was asked. */
    /**
     * Whether a shard stays as it was from one placement to the next: the same index, host and key
     * groups. Such a shard goes on with its streams and state through a live rescale.
     */
    public static boolean sameShard(ShardPlacement before, ShardPlacement after) {
        return before.getShard() == after.getShard() && before.getHost().equals(after.getHost())
                && before.getFirstKeyGroup() == after.getFirstKeyGroup() && before.getEndKeyGroup() == after.getEndKeyGroup();
    }

    public static String hostOf(Placement placement, int shard) {
        return placement.getShards(shard).getHost();
    }

    /**
     * The placement after a rescale to {@code shards} shards over {@code hosts}: the next epoch,
     * and every host of the one before kept in its pool (a host left without shards keeps the
     * checkpoints of the shards it served).
     */
    public static Placement rescaled(Placement current, int shards, List<String> hosts) {
        Set<String> pool = new LinkedHashSet<>(hosts);
        pool.addAll(hosts(current));
        return spread(shards, hosts, current.getEpoch() + 1).toBuilder().addAllHosts(pool).build();
    }

    /** The hosts the operator is deployed on: its pool, else those serving its shards in the order of their first shard. */
    public static List<String> hosts(Placement placement) {
        if (placement.getHostsCount() > 0) {
            return List.copyOf(new LinkedHashSet<>(placement.getHostsList()));
        }
        return servingHosts(placement);
    }

    /** The hosts serving some shard, each once, in the order of their first shard. */
    public static List<String> servingHosts(Placement placement) {
        Set<String> hosts = new LinkedHashSet<>();
        for (ShardPlacement shard : placement.getShardsList()) {
            hosts.add(shard.getHost());
        }
        return List.copyOf(hosts);
    }

    /** The shards the placement gives to {@code host}, in order. */
    public static int[] shardsOn(Placement placement, String host) {
        List<Integer> shards = new ArrayList<>();
        for (ShardPlacement shard : placement.getShardsList()) {
            if (shard.getHost().equals(host)) {
                shards.add(shard.getShard());
            }
        }
        return shards.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Checks that the placement covers {@code shards} shards, in order, each with the key groups
     * {@link KeyGroups} routes to it, and names {@code host} for at least one of them.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public static void check(Placement placement, int shards, String host) {
        if (placement.getShardsCount() != shards) {
            throw new IllegalArgumentException("the placement places " + placement.getShardsCount() + " shards, but the operator has "
                    + shards);
        }
        if (placement.getEpoch() < 1) {
            throw new IllegalArgumentException("the placement's epoch must be at least 1, not " + placement.getEpoch());
        }
        for (int s = 0; s < shards; s++) {
            ShardPlacement shard = placement.getShards(s);
            int first = KeyGroups.firstKeyGroup(s, shards);
            int end = KeyGroups.firstKeyGroup(s + 1, shards);
            if (shard.getShard() != s || shard.getFirstKeyGroup() != first || shard.getEndKeyGroup() != end) {
                throw new IllegalArgumentException("entry " + s + " of the placement must be shard " + s + " with key groups ["
                        + first + ", " + end + "), not shard " + shard.getShard() + " with [" + shard.getFirstKeyGroup() + ", "
                        + shard.getEndKeyGroup() + ")");
            }
        }
        if (!hosts(placement).contains(host)) {
            throw new IllegalArgumentException("the placement does not name host '" + host + "' (its hosts are "
                    + hosts(placement) + ")");
        }
        for (ShardPlacement shard : placement.getShardsList()) {
            if (!hosts(placement).contains(shard.getHost())) {
                throw new IllegalArgumentException("shard " + shard.getShard() + " is placed on host '" + shard.getHost()
                        + "', which is not in the placement's hosts " + hosts(placement));
            }
        }
    }
}
