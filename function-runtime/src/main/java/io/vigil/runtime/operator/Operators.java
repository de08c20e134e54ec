package io.vigil.runtime.operator;

import io.vigil.runtime.logging.LifecycleLog;
import io.vigil.api.proto.DeploymentRecord;
import io.vigil.api.security.TransportSecurity;
import io.vigil.api.placement.Placements;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.StreamError;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.runtime.placement.PeerCheckpoints;
import io.vigil.runtime.plugin.LanguagePlugins;
import io.vigil.runtime.metrics.HostMetrics;
import io.vigil.runtime.shard.Shard;
import io.vigil.runtime.shard.ShardVersion;
import io.vigil.runtime.state.HandleSeal;
import io.vigil.runtime.state.ShardState;
import io.vigil.state.CheckpointStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import io.vigil.runtime.state.StoreLayout;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators deployed on this host: deploy, undeploy, and the redeploy of what the store
 * records after a restart; {@link OperatorUpdate} changes a running one. Compilation and
 * instantiation run on the calling (control-plane) thread; shards only ever see finished
 * instances. With a state store, every deploy, update and undeploy is recorded there before it
 * takes effect.
 */
public final class Operators {
    private static final Logger LOG = LoggerFactory.getLogger(Operators.class);
    /** How long the shards of a live rescale's placement before wait for their streams to move: a job checkpoints within it. */
    static final long CUT_OVER_TIMEOUT_SECONDS = 600;
    private final OperatorCompiler compiler;
    private final HostMetrics metrics;
    private final OperatorUpdate updates;
    private final int ringSize;
    private final CheckpointStore store;
    private final DeploymentRecords records;
    private final PeerCheckpoints peers;
    private final HandleSeal seal;
    private final ConcurrentMap<String, DeployedOperator> deployed = new ConcurrentHashMap<>();
    /** Operators from the store that could not be deployed again yet: something they need was out of reach. */
    private final Map<String, DeploymentRecord> waiting = new TreeMap<>();

    /**
     * @param store    where shards checkpoint their state, or null to keep none
     * @param security how this host reaches the other hosts of a pool (to read their checkpoints)
     */
    public Operators(LanguagePlugins languages, int ringSize, CheckpointStore store, TransportSecurity security) {
        this(languages, ringSize, store, HandleSeal.ephemeral(), security, Duration.ofSeconds(60));
    }

    /**
     * @param seal          what the handles of {@code store}'s checkpoints carry
     * @param compileBudget how long one compile may take: past it, it is given up and the call refused
     */
    public Operators(LanguagePlugins languages, int ringSize, CheckpointStore store, HandleSeal seal, TransportSecurity security,
                     Duration compileBudget) {
        this.seal = seal;
        this.ringSize = ringSize;
        this.store = store;
        this.metrics = new HostMetrics(this::all, store);
        this.compiler = new OperatorCompiler(languages, compileBudget, metrics);
        this.records = store == null ? null : new DeploymentRecords(store);
        this.peers = new PeerCheckpoints(store, seal, security);
        this.updates = new OperatorUpdate(store != null, this::record);
    }

    /**
     * Deploys again every operator the store records as deployed, at the version last recorded, so
     * a host restarted on its store serves the same operators; shards restore their state when the
     * job reopens its streams with its checkpoint handles.
     */
    public synchronized void redeployFromStore() throws IOException {
        if (records == null) {
            return;
        }
        Map<String, DeploymentRecord> current = records.current();
        // Checkpoints of operators undeployed before a restart came back with the log: nothing will release them.
        store.forget(group -> !current.containsKey(StoreLayout.operatorOf(group)));
        for (DeploymentRecord record : current.values()) {
            if (!deployAgain(record, true)) {
                waiting.put(record.getSpec().getName(), record);
            }
        }
    }

    /** Tries again to deploy the operators from the store that were out of reach; the host calls this periodically. */
    public synchronized void retryWaitingRedeploys() {
        waiting.values().removeIf(record -> deployAgain(record, false));
    }

    /** Deploys a recorded operator again; false when it cannot be yet, true when done or never possible. */
    private boolean deployAgain(DeploymentRecord record, boolean reportWaiting) {
        String name = record.getSpec().getName();
        try {
            deploy(record.getSpec(), record.getVersion(), record.hasPlacement() ? record.getPlacement() : null, record.getHost(), null,
                    Map.of());
            LifecycleLog.event("recover").operator(name).version(record.getVersion()).with("from", "store").info();
            return true;
        } catch (OperatorException e) {
            if (e.reason() == OperatorException.Reason.UNAVAILABLE) {
                if (reportWaiting) {
                    LOG.warn("Operator '{}' from the store will be deployed again once it can be: {}", name, e.getMessage());
                }
                return false;
            }
            LOG.error("Operator '{}' from the store cannot be deployed again: {}", name, e.getMessage());
            return true;
        } catch (RuntimeException e) {
            LOG.error("Operator '{}' from the store cannot be deployed again", name, e);
            return true;
        }
    }

    /** What one tenant's operators use of this host: operators, shards, and bytes of state in their latest checkpoints. */
    public TenantUsage usageOf(String tenant) {
        long count = 0;
        long shards = 0;
        long stateBytes = 0;
        for (DeployedOperator operator : deployed.values()) {
            if (io.vigil.api.codec.OperatorNames.tenantOf(operator.name()).equals(tenant)) {
                count++;
                shards += operator.shardCount();
                for (io.vigil.runtime.shard.Shard shard : operator.shards()) {
                    stateBytes += shard.stats().stateBytes();
                }
            }
        }
        return new TenantUsage(count, shards, stateBytes);
    }

    public record TenantUsage(long operators, long shards, long stateBytes) {
    }

    /** The host's metrics: what its shards record, and what a scrape reads from them. */
    public HostMetrics metrics() {
        return metrics;
    }

    public DeployedOperator get(String name) {
        return deployed.get(name);
    }

    public Collection<DeployedOperator> all() {
        return deployed.values();
    }

    public List<String> languages() {
        return compiler.languages();
    }

    /**
     * @param placement where the operator's shards run, or null for all of them here
     * @param host      this host's name in the placement
     */
    public DeployedOperator deploy(OperatorSpec spec, Placement placement, String host) throws OperatorException {
        OperatorDefinition definition = compiler.definition(spec);
        refuseIfDeployed(spec.getName());
        // Outside the lock: a long compile holds up no other call.
        CompiledOperator compiled = compiler.compile(definition);
        synchronized (this) {
            waiting.remove(spec.getName());
            DeployedOperator operator = deploy(spec, 1, placement, host, compiled, Map.of());
            record(operator.spec(), 1);
            return operator;
        }
    }

    private void refuseIfDeployed(String name) throws OperatorException {
        DeployedOperator existing = deployed.get(name);
        if (existing != null) {
            throw new OperatorException(OperatorException.Reason.ALREADY_EXISTS, "operator '" + name
                    + "' is already deployed (version " + existing.version() + "); use Update to change it");
        }
    }

    /**
     * @param compiledAlready the spec compiled (by the deployment a rescale replaces), or null to compile it
     * @param kept            shards a live rescale keeps running as they are, by index
     */
    private DeployedOperator deploy(OperatorSpec spec, long version, Placement placement, String host, CompiledOperator compiledAlready,
                                    Map<Integer, Shard> kept) throws OperatorException {
        refuseIfDeployed(spec.getName());
        OperatorDefinition definition = compiler.definition(spec);
        if (placement == null) {
            placement = Placements.onOneHost(definition.shards());
            host = Placements.THIS_HOST;
        }
        try {
            Placements.check(placement, definition.shards(), host);
        } catch (IllegalArgumentException e) {
            throw new OperatorException(OperatorException.Reason.INVALID_SPEC, "operator '" + spec.getName()
                    + "' cannot be placed: " + e.getMessage());
        }
        Set<Integer> servedHere = new HashSet<>();
        for (int s : Placements.shardsOn(placement, host)) {
            servedHere.add(s);
        }
        CompiledOperator compiled = compiledAlready != null ? compiledAlready : compiler.compile(definition);
        List<OperatorInstance> instances = OperatorCompiler.instantiate(compiled, definition, version,
                s -> servedHere.contains(s) && !kept.containsKey(s), null);
        ClassLoader loader = compiled.getClass().getClassLoader();
        OperatorSpec normalized = spec.toBuilder().setShards(definition.shards()).build();
        ShardVersion running = new ShardVersion(normalized, compiled, version);
        Shard[] shards = new Shard[instances.size()];
        for (int s = 0; s < instances.size(); s++) {
            if (kept.containsKey(s)) {
                shards[s] = kept.get(s);
            } else if (instances.get(s) != null) {
                ShardState state = store == null ? null : new ShardState(store, seal, definition.name(), placement.getShards(s));
                shards[s] = new Shard(definition, s, running, instances.get(s), ringSize, loader, state, peers,
                        metrics.shard(definition.name(), s)).start();
            }
        }
        DeployedOperator operator = new DeployedOperator(normalized, definition, version, compiled, shards, placement, host);
        deployed.put(definition.name(), operator);
        LifecycleLog.event("deploy").operator(definition.name()).version(version).with("language", definition.language())
                .with("shards", definition.shards()).with("shardsHere", servedHere.toString())
                .with("host", host.isEmpty() ? null : host).with("placementEpoch", placement.getEpoch()).info();
        return operator;
    }

    /**
     * Compiles the new spec off the hot path and switches every shard to it at its next batch
     * boundary, carrying state as its spec says. A spec that does not compile leaves the running
     * version untouched.
     */
    public DeployedOperator update(OperatorSpec spec) throws OperatorException {
        OperatorDefinition definition = compiler.definition(spec);
        OperatorUpdate.checkCompatible(require(spec.getName()).definition(), definition);
        long called = System.nanoTime();
        // Outside the lock: a long compile holds up no other call.
        CompiledOperator compiled = compiler.compile(definition);
        long compileMicros = (System.nanoTime() - called) / 1000;
        synchronized (this) {
            DeployedOperator operator = require(spec.getName());
            updates.apply(operator, spec, definition, compiled, compileMicros);
            LifecycleLog.event("update").operator(operator.name()).version(operator.version()).info();
            return operator;
        }
    }

    /** Records a version of a deployed operator, with the placement it was deployed with. */
    private void record(OperatorSpec spec, long version) throws OperatorException {
        if (records == null) {
            return;
        }
        DeployedOperator operator = deployed.get(spec.getName());
        try {
            records.deployed(spec, version, operator.placement(), operator.host());
        } catch (IOException e) {
            throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + spec.getName() + "' version " + version
                    + " could not be recorded in the state store: " + e, List.of(), e);
        }
    }

    /**
     * This host's part of moving an operator to a new placement. While no job feeds it, its shards
     * of the placement before stop (their checkpoints stay in the store, for the shards that take
     * their key groups to read), and it serves the shards the new placement gives it, empty until
     * a job restores into them. While a job feeds it, the move is live: the new placement's shards
     * start beside the old ones, which ask their streams for a checkpoint to cut over at
     * ({@link Shard#cutOver}) and stop once their streams have moved; a shard the new placement
     * keeps as it was (same index, key groups and host) goes on serving its streams. A host new to
     * the operator deploys it at the pool's version; one already at the placement does nothing.
     */
    public DeployedOperator rescale(OperatorSpec spec, long version, Placement placement, String host, boolean prepareOnly)
            throws OperatorException {
        DeployedOperator operator = moveTo(spec, version, placement, host);
        if (!prepareOnly) {
            beginCutOver(spec.getName(), placement);
        }
        return operator;
    }

    /** The shards of a live rescale's placement before, by operator, until their streams are asked to cut over. */
    private final Map<String, List<Shard>> awaitingCutOver = new ConcurrentHashMap<>();
    /** The shards of a live rescale's placement before that still serve streams which have not cut over, by operator. */
    private final Map<String, Set<Shard>> retiring = new ConcurrentHashMap<>();

    /** Whether shards of {@code name}'s placement before still serve here, during a live rescale. */
    public boolean cuttingOver(String name) {
        return awaitingCutOver.containsKey(name) || retiring.containsKey(name);
    }

    /** Asks the streams of the shards before to cut over; those the new placement does not keep stop once their streams have gone. */
    private void beginCutOver(String name, Placement placement) {
        List<Shard> before = awaitingCutOver.remove(name);
        if (before == null) {
            return;
        }
        DeployedOperator operator = deployed.get(name);
        List<Shard> stopping = new ArrayList<>();
        List<CompletableFuture<Void>> moved = new ArrayList<>();
        for (Shard shard : before) {
            CompletableFuture<Void> gone = shard.cutOver(placement);
            boolean kept = operator != null && shard.index() < operator.shardCount() && operator.shard(shard.index()) == shard;
            if (!kept) {
                stopping.add(shard);
                moved.add(gone);
            }
        }
        LOG.info("Operator '{}' moves to placement epoch {} while its job runs: shards {} cut over at a checkpoint", name,
                placement.getEpoch(), stopping.stream().map(Shard::index).toList());
        retiring.computeIfAbsent(name, operatorName -> ConcurrentHashMap.newKeySet()).addAll(stopping);
        CompletableFuture.allOf(moved.toArray(CompletableFuture[]::new))
                .orTimeout(CUT_OVER_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenCompleteAsync((done, late) -> stopMoved(name, placement.getEpoch(), stopping, late != null));
    }

    /** Stops the shards of a live rescale's placement before: their streams have gone, or did not go in time. */
    private void stopMoved(String name, long epoch, List<Shard> stopping, boolean late) {
        if (late) {
            LOG.warn("Operator '{}' did not cut over to placement epoch {} within {} s; the streams still on its shards before"
                    + " end, and the job restores onto the new placement", name, epoch, CUT_OVER_TIMEOUT_SECONDS);
        }
        stopShards(stopping, name, StreamError.Code.PLACEMENT_CHANGED, "operator '" + name + "' moved to placement epoch " + epoch);
        retiring.computeIfPresent(name, (operatorName, shards) -> {
            stopping.forEach(shards::remove);
            return shards.isEmpty() ? null : shards;
        });
        LOG.info("Operator '{}' cut over to placement epoch {}: shards {} of the placement before stopped", name, epoch,
                stopping.stream().map(Shard::index).toList());
    }

    private synchronized DeployedOperator moveTo(OperatorSpec spec, long version, Placement placement, String host)
            throws OperatorException {
        String name = spec.getName();
        DeployedOperator current = deployed.get(name);
        Map<Integer, Shard> kept = new TreeMap<>();
        boolean live = false;
        if (current != null) {
            if (current.placement().equals(placement) && current.host().equals(host)) {
                return current;
            }
            if (current.placement().getEpoch() >= placement.getEpoch()) {
                throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + name
                        + "' is at placement epoch " + current.placement().getEpoch() + ", so a rescale to epoch "
                        + placement.getEpoch() + " comes too late");
            }
            if (current.version() != version) {
                throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + name + "' runs version "
                        + current.version() + " on this host, not the pool's version " + version + ": update it first");
            }
            for (Shard shard : current.shards()) {
                live |= shard.stats().openStreams() > 0;
                if (current.shardCount() != placement.getShardsCount() && !shard.runningInstance().splitsByKeyGroup()) {
                    throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + name + "' ("
                            + current.definition().language() + ") keeps state that cannot be split by key group: it can move"
                            + " between hosts at " + current.shardCount() + " shards, but cannot go to " + placement.getShardsCount());
                }
            }
            if (live && current.shardCount() == placement.getShardsCount()) {
                // As the connector sees it: a placement on one host names this host.
                Placement before = Placements.resolved(current.placement(), host);
                for (Shard shard : current.shards()) {
                    if (Placements.sameShard(before.getShards(shard.index()), placement.getShards(shard.index()))) {
                        kept.put(shard.index(), shard);
                    }
                }
            }
            deployed.remove(name);
            if (!live) {
                stopShards(current.shards(), name, StreamError.Code.PLACEMENT_CHANGED, "operator '" + name
                        + "' moved to placement epoch " + placement.getEpoch());
            }
        }
        // The version compiled already serves another shard count as it is, once it passed the check a sharded operator must.
        CompiledOperator reuse = current != null && (current.shardCount() > 1 || spec.getShards() <= 1) ? current.compiled() : null;
        DeployedOperator operator;
        try {
            operator = deploy(spec, version, placement, host, reuse, kept);
            record(operator.spec(), version);
        } catch (OperatorException e) {
            if (live) {
                deployed.put(name, current);
            } else if (current != null) {
                LOG.error("Operator '{}' could not move to placement epoch {}; it serves nothing on this host until a rescale"
                        + " succeeds: {}", name, placement.getEpoch(), e.getMessage());
            }
            throw e;
        }
        if (live) {
            awaitingCutOver.put(name, current.shards());
        }
        return operator;
    }

    /** Takes each shard's reading of how busy its thread was; the host calls this about once a second. */
    public void sampleBusy() {
        for (DeployedOperator operator : all()) {
            for (Shard shard : operator.shards()) {
                shard.sampleBusy();
            }
        }
    }

    /** Reclaims the state of every shard whose feed has been away longer than its operator's idle-state retention. */
    public void reclaimIdleState() {
        long now = System.currentTimeMillis();
        for (DeployedOperator operator : all()) {
            for (Shard shard : operator.shards()) {
                shard.reclaimIfIdle(now);
            }
        }
    }

    public synchronized DeployedOperator undeploy(String name) throws OperatorException {
        DeploymentRecord wasWaiting = waiting.remove(name);
        if (wasWaiting != null && records != null) {
            try {
                records.undeployed(wasWaiting.getSpec(), wasWaiting.getVersion());
            } catch (IOException e) {
                waiting.put(name, wasWaiting);
                throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + name
                        + "' could not be recorded as undeployed in the state store: " + e, List.of(), e);
            }
        }
        if (wasWaiting != null && !deployed.containsKey(name)) {
            forgetCheckpointsOf(name);
        }
        DeployedOperator operator = require(name);
        if (records != null) {
            try {
                records.undeployed(operator.spec(), operator.version());
            } catch (IOException e) {
                throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + name
                        + "' could not be recorded as undeployed in the state store: " + e, List.of(), e);
            }
        }
        deployed.remove(name);
        stopShards(operator.shards(), name, StreamError.Code.UNKNOWN_OPERATOR, "operator '" + name + "' was undeployed");
        metrics.forget(name, operator.shardCount());
        forgetCheckpointsOf(name);
        LifecycleLog.event("undeploy").operator(name).version(operator.version()).info();
        return operator;
    }

    /** An undeployed operator's checkpoints and records go: the undeploy record is the newest of its series in the log. */
    private void forgetCheckpointsOf(String name) {
        if (store == null) {
            return;
        }
        try {
            store.forget(group -> name.equals(StoreLayout.operatorOf(group)));
        } catch (IOException e) {
            LOG.warn("The state of undeployed operator '{}' is not reclaimed yet: {}", name, e.getMessage());
        }
    }

    /** Stops every operator after its shards have finished what they accepted. */
    public synchronized void stopAll(String message) {
        for (DeployedOperator operator : List.copyOf(deployed.values())) {
            deployed.remove(operator.name());
            stopShards(operator.shards(), operator.name(), StreamError.Code.SHUTTING_DOWN, message);
        }
        peers.close();
    }

    /** Reads checkpoints of this host's store, for the shards that took key groups from shards it served. */
    public PeerCheckpoints peers() {
        return peers;
    }

    private static void stopShards(List<Shard> shards, String name, StreamError.Code code, String message) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Shard shard : shards) {
            stops.add(shard.stop(code, message));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(OperatorUpdate.SWAP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (Shard shard : shards) {
                shard.awaitStopped(TimeUnit.SECONDS.toMillis(OperatorUpdate.SWAP_TIMEOUT_SECONDS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Operator '{}' did not stop cleanly", name, e);
        }
    }

    private DeployedOperator require(String name) throws OperatorException {
        DeployedOperator operator = deployed.get(name);
        if (operator == null) {
            throw new OperatorException(OperatorException.Reason.NOT_FOUND, "operator '" + name + "' is not deployed on this host"
                    + (deployed.isEmpty() ? "" : " (deployed: " + String.join(", ", new TreeSet<>(deployed.keySet())) + ")"));
        }
        return operator;
    }
}
