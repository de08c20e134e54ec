package io.vigil.api.client;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.vigil.api.codec.SpecProtos;
import io.vigil.api.placement.Placements;
import io.vigil.api.proto.DeployRequest;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.RescaleRequest;
import io.vigil.api.proto.ShardStatus;
import io.vigil.api.proto.UndeployResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The control plane of a pool of function hosts, called as one: a deploy spreads the operator's
 * shards over the pool and gives every host the same {@link Placement}; update, undeploy and
 * describe read the placement from any host of the pool and act on every host it names. With one
 * host this is that host's control plane. Every placement it returns names real hosts (an
 * operator deployed to one host is placed on the host that was asked).
 */
public final class OperatorPool implements AutoCloseable {
    private final List<String> seeds;
    private final Function<String, ManagedChannel> connect;
    private final Duration timeout;
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    private final boolean ownsChannels;

    /**
     * @param seeds   the pool's hosts (host:port); a deploy uses all of them, the other calls ask
     *                them in turn until one answers
     * @param connect opens a channel to a host; the pool shuts the channels down when it closes
     */
    public OperatorPool(List<String> seeds, Function<String, ManagedChannel> connect, Duration timeout) {
        this(seeds, connect, timeout, true);
    }

    /** @param ownsChannels whether {@link #close} shuts down the channels {@code connect} gave, or leaves them to their owner */
    public OperatorPool(List<String> seeds, Function<String, ManagedChannel> connect, Duration timeout, boolean ownsChannels) {
        this.ownsChannels = ownsChannels;
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one host");
        }
        this.seeds = List.copyOf(seeds);
        this.connect = connect;
        this.timeout = timeout;
    }

    /** The control plane of one host of the pool. */
    public ControlPlaneClient host(String endpoint) {
        return new ControlPlaneClient(channels.computeIfAbsent(endpoint, connect), timeout);
    }

    /**
     * Deploys the operator with its shards spread over the pool's hosts (shard s on host s mod
     * hosts). When a host refuses, the hosts that had accepted undeploy it again, and the refusal
     * is thrown naming the host.
     */
    public OperatorStatus deploy(OperatorSpec spec) {
        if (seeds.size() == 1) {
            return resolved(host(seeds.get(0)).deploy(spec), seeds.get(0));
        }
        Placement placement = Placements.spread(SpecProtos.shards(spec), seeds, 1);
        List<String> done = new ArrayList<>();
        List<OperatorStatus> statuses = new ArrayList<>();
        for (String endpoint : Placements.hosts(placement)) {
            try {
                statuses.add(resolved(host(endpoint).deploy(DeployRequest.newBuilder().setSpec(spec).setPlacement(placement)
                        .setHost(endpoint).build()), endpoint));
                done.add(endpoint);
            } catch (OperatorRejectedException e) {
                for (String deployed : done) {
                    try {
                        host(deployed).undeploy(spec.getName());
                    } catch (OperatorRejectedException ignored) {
                        // The refusal below is what the caller needs; this host reports its own state on describe.
                    }
                }
                throw onHost(endpoint, e);
            }
        }
        return merged(statuses);
    }

    /** Updates the operator on every host of its placement; each switches its shards to the new version. */
    public OperatorStatus update(OperatorSpec spec) {
        List<OperatorStatus> statuses = new ArrayList<>();
        for (String endpoint : hostsOf(spec.getName())) {
            try {
                statuses.add(resolved(host(endpoint).update(spec), endpoint));
            } catch (OperatorRejectedException e) {
                throw statuses.isEmpty() ? onHost(endpoint, e) : new OperatorRejectedException(e.code(),
                        "updated on " + statuses.size() + " of the operator's hosts, then " + endpoint + " refused: " + e.getMessage(),
                        e.diagnostics(), e);
            }
        }
        return merged(statuses);
    }

    /**
     * Moves the operator to {@code shards} shards spread over {@code hosts} (empty: the hosts that
     * serve it now), the next placement epoch, on every host of the pool. While a job feeds it,
     * the move is live: the job's subtasks cut over at a checkpoint they agree on, and the new
     * shards take their key groups' state from the old shards' checkpoint there; this returns once
     * every host has the new placement, before the cut (Describe shows the streams moving). While
     * no job feeds it, a job restored afterwards from a checkpoint or savepoint carries the state
     * over key group by key group. Calling it again with the same arguments after a failure
     * finishes what the first call started.
     */
    public OperatorStatus rescale(String name, int shards, List<String> hosts) {
        Answer answer = answer(name);
        OperatorStatus status = answer.status();
        Placement current = status.getPlacement();
        List<String> target = hosts.isEmpty() ? Placements.servingHosts(current) : hosts;
        Placement next = Placements.rescaled(current, shards, target);
        if (shards != current.getShardsCount() && !describe(name).getSplitsByKeyGroup()) {
            throw new OperatorRejectedException(Status.Code.FAILED_PRECONDITION, "operator '" + name + "' ("
                    + status.getSpec().getLanguage() + ") keeps state that cannot be split by key group: it can move between"
                    + " hosts at " + current.getShardsCount() + " shards, but cannot go to " + shards, List.of(), null);
        }
        OperatorSpec spec = status.getSpec().toBuilder().setShards(shards).build();
        // Every host at once, twice: first each starts the next placement's shards (and stops those
        // of the placement before that no job feeds), then each asks the job's streams to cut over.
        List<String> pool = Placements.hosts(next);
        for (boolean prepareOnly : new boolean[] {true, false}) {
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            for (String endpoint : pool) {
                ControlPlaneClient control = host(endpoint);
                calls.add(CompletableFuture.runAsync(() -> control.rescale(RescaleRequest.newBuilder().setSpec(spec)
                        .setVersion(status.getVersion()).setPlacement(next).setHost(endpoint).setPrepareOnly(prepareOnly).build())));
            }
            for (int h = 0; h < pool.size(); h++) {
                try {
                    calls.get(h).join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof OperatorRejectedException refused) {
                        throw onHost(pool.get(h), refused);
                    }
                    throw e;
                }
            }
        }
        return describe(name);
    }

    /** Undeploys the operator from every host of its placement. */
    public UndeployResponse undeploy(String name) {
        long events = 0;
        for (String endpoint : hostsOf(name)) {
            try {
                events += host(endpoint).undeploy(name).getEventsProcessed();
            } catch (OperatorRejectedException e) {
                throw onHost(endpoint, e);
            }
        }
        return UndeployResponse.newBuilder().setName(name).setEventsProcessed(events).build();
    }

    /** The operator as every host of its placement reports it: all its shards, in order. */
    public OperatorStatus describe(String name) {
        Answer answer = answer(name);
        List<OperatorStatus> statuses = new ArrayList<>();
        for (String endpoint : hostsOf(answer)) {
            try {
                statuses.add(endpoint.equals(answer.seed()) ? answer.status() : resolved(host(endpoint).describe(name), endpoint));
            } catch (OperatorRejectedException e) {
                throw onHost(endpoint, e);
            }
        }
        return merged(statuses);
    }

    /** The operators every host given runs, each once, with the shards of all those hosts. */
    public List<OperatorStatus> list() {
        Map<String, List<OperatorStatus>> byName = new TreeMap<>();
        for (String endpoint : seeds) {
            try {
                for (OperatorStatus status : host(endpoint).list()) {
                    byName.computeIfAbsent(status.getSpec().getName(), name -> new ArrayList<>()).add(resolved(status, endpoint));
                }
            } catch (OperatorRejectedException e) {
                throw onHost(endpoint, e);
            }
        }
        return byName.values().stream().map(OperatorPool::merged).toList();
    }

    /** The hosts the operator is deployed on, as the first host of the pool that answers says. */
    public List<String> hostsOf(String name) {
        return hostsOf(answer(name));
    }

    private static List<String> hostsOf(Answer answer) {
        List<String> hosts = Placements.hosts(answer.status().getPlacement());
        return hosts.isEmpty() ? List.of(answer.seed()) : hosts;
    }

    /** A host of the pool and the operator as it described it, its placement naming real hosts. */
    private record Answer(String seed, OperatorStatus status) {
    }

    /** The first host of the pool that answers for the operator; NOT_FOUND only when every reachable host says so. */
    private Answer answer(String name) {
        OperatorRejectedException notFound = null;
        OperatorRejectedException unreachable = null;
        for (String seed : seeds) {
            try {
                return new Answer(seed, resolved(host(seed).describe(name), seed));
            } catch (OperatorRejectedException e) {
                if (e.code() == Status.Code.NOT_FOUND) {
                    notFound = notFound == null ? onHost(seed, e) : notFound;
                } else if (e.code() == Status.Code.UNAVAILABLE || e.code() == Status.Code.DEADLINE_EXCEEDED) {
                    unreachable = unreachable == null ? onHost(seed, e) : unreachable;
                } else {
                    throw onHost(seed, e);
                }
            }
        }
        throw notFound != null ? notFound : unreachable;
    }

    /** The status with {@link Placements#THIS_HOST} in its placement replaced by the host that answered. */
    private static OperatorStatus resolved(OperatorStatus status, String answered) {
        return status.toBuilder().setPlacement(Placements.resolved(status.getPlacement(), answered)).build();
    }

    private static OperatorStatus merged(List<OperatorStatus> statuses) {
        if (statuses.size() == 1) {
            return statuses.get(0);
        }
        List<ShardStatus> shards = new ArrayList<>();
        java.util.Set<String> cuttingOver = new java.util.TreeSet<>();
        statuses.forEach(status -> {
            shards.addAll(status.getShardsList());
            cuttingOver.addAll(status.getCuttingOverOnList());
        });
        shards.sort(Comparator.comparingInt(ShardStatus::getShard));
        return statuses.get(0).toBuilder().clearShards().addAllShards(shards).clearCuttingOverOn().addAllCuttingOverOn(cuttingOver)
                .setSplitsByKeyGroup(statuses.stream().allMatch(OperatorStatus::getSplitsByKeyGroup))
                .build();
    }

    /** The refusal, naming the host when the pool has more than one. */
    private OperatorRejectedException onHost(String endpoint, OperatorRejectedException e) {
        if (seeds.size() == 1) {
            return e;
        }
        return new OperatorRejectedException(e.code(), "host " + endpoint + ": " + e.getMessage(), e.diagnostics(), e);
    }

    @Override
    public void close() {
        if (ownsChannels) {
            channels.values().forEach(ManagedChannel::shutdownNow);
        }
        channels.clear();
    }
}
