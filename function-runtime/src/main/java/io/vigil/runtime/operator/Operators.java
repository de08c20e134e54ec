package io.vigil.runtime.operator;

import io.vigil.api.codec.SpecProtos;
import io.vigil.api.proto.DeploymentRecord;
import io.vigil.api.proto.Error;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.OperatorUnavailableException;
import io.vigil.api.spi.ShardContext;
import io.vigil.runtime.plugin.LanguagePlugins;
import io.vigil.runtime.shard.Shard;
import io.vigil.runtime.shard.ShardVersion;
import io.vigil.runtime.state.ShardState;
import io.vigil.state.CheckpointStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators deployed on this host and their life cycle. Compilation and instantiation run on
 * the calling (control-plane) thread; shards only ever see finished instances. With a state store,
 * every deploy, update and undeploy is recorded there before it takes effect.
 */
public final class Operators {
    private static final Logger LOG = LoggerFactory.getLogger(Operators.class);
    private static final long SWAP_TIMEOUT_SECONDS = 30;
    // Passes go on until one finds at most a batch to replay, so the shard replays at most about
    // that much at the switch; a log growing faster than the replay stops them at the limit.
    private static final int MAX_CATCH_UP_PASSES = 64;
    private static final int SMALL_ENOUGH_TO_SWITCH = 1;

    private final LanguagePlugins languages;
    private final int ringSize;
    private final CheckpointStore store;
    private final DeploymentRecords records;
    private final ExecutorService replays = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "vigil-swap-replay");
        thread.setDaemon(true);
        return thread;
    });
    private final ConcurrentMap<String, DeployedOperator> deployed = new ConcurrentHashMap<>();
    /** Operators from the store that could not be deployed again yet: something they need was out of reach. */
    private final Map<String, DeploymentRecord> waiting = new TreeMap<>();

    /** @param store where shards checkpoint their state, or null to keep none */
    public Operators(LanguagePlugins languages, int ringSize, CheckpointStore store) {
        this.languages = languages;
        this.ringSize = ringSize;
        this.store = store;
        this.records = store == null ? null : new DeploymentRecords(store);
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
        for (DeploymentRecord record : records.current().values()) {
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
            deploy(record.getSpec(), record.getVersion());
            LOG.info("Operator '{}' from the store deployed again at version {}", name, record.getVersion());
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

    public DeployedOperator get(String name) {
        return deployed.get(name);
    }

    public Collection<DeployedOperator> all() {
        return deployed.values();
    }

    public List<String> languages() {
        return languages.languages();
    }

    public synchronized DeployedOperator deploy(OperatorSpec spec) throws OperatorException {
        waiting.remove(spec.getName());
        DeployedOperator operator = deploy(spec, 1);
        record(operator.spec(), 1);
        return operator;
    }

    private DeployedOperator deploy(OperatorSpec spec, long version) throws OperatorException {
        if (deployed.containsKey(spec.getName())) {
            throw new OperatorException(OperatorException.Reason.ALREADY_EXISTS, "operator '" + spec.getName()
                    + "' is already deployed (version " + deployed.get(spec.getName()).version() + "); use Update to change it");
        }
        OperatorDefinition definition = definition(spec);
        CompiledOperator compiled = compile(definition);
        List<OperatorInstance> instances = instantiate(compiled, definition, version, null);
        ClassLoader loader = compiled.getClass().getClassLoader();
        OperatorSpec normalized = spec.toBuilder().setShards(definition.shards()).build();
        ShardVersion running = new ShardVersion(normalized, compiled, version);
        List<Shard> shards = new ArrayList<>();
        for (int s = 0; s < instances.size(); s++) {
            ShardState state = store == null ? null : new ShardState(store, definition.name(), s);
            shards.add(new Shard(definition, s, running, instances.get(s), ringSize, loader, state).start());
        }
        DeployedOperator operator = new DeployedOperator(normalized, definition, version, shards);
        deployed.put(definition.name(), operator);
        LOG.info("Deployed operator '{}' ({}, {} shards)", definition.name(), definition.language(), shards.size());
        return operator;
    }

    /**
     * Compiles the new spec off the hot path and switches every shard to it at its next batch
     * boundary. A spec that does not compile leaves the running version untouched. The new version
     * starts with empty state.
     */
    public synchronized DeployedOperator update(OperatorSpec spec) throws OperatorException {
        DeployedOperator operator = require(spec.getName());
        OperatorDefinition definition = definition(spec);
        OperatorDefinition current = operator.definition();
        if (definition.shards() != current.shards()) {
            throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + spec.getName()
                    + "' runs " + current.shards() + " shards; an update cannot change that to " + definition.shards());
        }
        if (!definition.input().equals(current.input()) || !definition.keyField().equals(current.keyField())) {
            throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + spec.getName()
                    + "' is fed " + current.input() + " keyed by " + current.keyField()
                    + "; an update must keep the input schema and key (" + current.input().differenceFrom(definition.input()) + ")");
        }
        if (!definition.output().equals(current.output())) {
            throw new OperatorException(OperatorException.Reason.INCOMPATIBLE_UPDATE, "operator '" + spec.getName()
                    + "' emits " + current.output() + "; an update must keep the output schema ("
                    + current.output().differenceFrom(definition.output()) + ")");
        }
        long version = operator.version() + 1;
        long called = System.nanoTime();
        CompiledOperator compiled = compile(definition);
        OperatorSpec normalized = spec.toBuilder().setShards(definition.shards()).build();
        ShardVersion next = new ShardVersion(normalized, compiled, version);
        boolean carry = store != null && next.carriesState();
        List<OperatorInstance> instances = instantiate(compiled, definition, version, carry ? operator : null);
        long compiledNanos = System.nanoTime() - called;
        long[] replayedThrough = new long[instances.size()];
        long[] replayedBatches = new long[instances.size()];
        Arrays.fill(replayedThrough, -1);
        long replayStart = System.nanoTime();
        if (carry) {
            catchUp(operator, next, instances, replayedThrough, replayedBatches);
        }
        long replayNanos = System.nanoTime() - replayStart;
        // Recorded before any shard switches, so no checkpoint can name a version the store does not know.
        record(normalized, version);
        List<CompletableFuture<OperatorInstance>> swaps = new ArrayList<>();
        for (Shard shard : operator.shards()) {
            String preparation = String.format(Locale.ROOT, "compiled in %.1f ms", compiledNanos / 1e6)
                    + (carry ? String.format(Locale.ROOT, ", %d logged batches replayed off the hot path in %.1f ms",
                            replayedBatches[shard.index()], replayNanos / 1e6) : "");
            swaps.add(shard.swap(instances.get(shard.index()), next, carry, replayedThrough[shard.index()], preparation));
        }
        try {
            CompletableFuture.allOf(swaps.toArray(CompletableFuture[]::new)).get(SWAP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + spec.getName()
                    + "' did not switch to version " + version + ": " + e, List.of(), e);
        }
        for (CompletableFuture<OperatorInstance> replaced : swaps) {
            closeQuietly(replaced.join(), next.compiled());
        }
        operator.activate(normalized, definition, version);
        LOG.info("Updated operator '{}' to version {}", definition.name(), version);
        return operator;
    }

    /**
     * Off the hot path, each shard's new instance replays that shard's input log within the new
     * version's horizon while the old one keeps serving; the shards replay in parallel. Each pass
     * replays what arrived during the one before, so what is left for the switch itself is small.
     */
    private void catchUp(DeployedOperator operator, ShardVersion next, List<OperatorInstance> instances, long[] replayedThrough,
                         long[] replayedBatches)
            throws OperatorException {
        List<CompletableFuture<Void>> replaying = new ArrayList<>();
        for (Shard shard : operator.shards()) {
            int index = shard.index();
            OperatorInstance instance = instances.get(index);
            // Parts the new instance takes over as they run need no replay.
            long horizon = Math.min(next.compiled().stateHorizonMillis(), instance.replayHorizonMillis());
            if (horizon <= 0) {
                continue;
            }
            replaying.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
                        ShardState.LogSnapshot log = shard.logSince(replayedThrough[index], horizon)
                                .get(SWAP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        replayedBatches[index] += withClassLoader(next.compiled().getClass().getClassLoader(),
                                () -> shard.replayInto(instance, log.records()));
                        replayedThrough[index] = log.lastSerial();
                        if (log.records().size() <= SMALL_ENOUGH_TO_SWITCH) {
                            return;
                        }
                    }
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, replays));
        }
        try {
            CompletableFuture.allOf(replaying.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            instances.forEach(OperatorInstance::close);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + operator.name()
                    + "' version " + next.version() + " could not take over the state of version " + operator.version()
                    + ": " + cause, List.of(), cause);
        }
    }

    private static void closeQuietly(OperatorInstance instance, CompiledOperator compiled) {
        try {
            withClassLoader(compiled.getClass().getClassLoader(), () -> {
                instance.close();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("Closing a replaced operator instance failed", e);
        }
    }

    private void record(OperatorSpec spec, long version) throws OperatorException {
        if (records == null) {
            return;
        }
        try {
            records.deployed(spec, version);
        } catch (IOException e) {
            throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + spec.getName() + "' version " + version
                    + " could not be recorded in the state store: " + e, List.of(), e);
        }
    }

    /**
     * Records every deployed operator again. The store keeps each operator's newest few records and
     * reclaims a segment only when no retained record is in it, so an operator never updated would
     * otherwise hold the segment of its deploy for good; the host calls this periodically.
     */
    public synchronized void refreshDeploymentRecords() {
        if (records == null) {
            return;
        }
        for (DeployedOperator operator : deployed.values()) {
            try {
                records.deployed(operator.spec(), operator.version());
            } catch (IOException e) {
                LOG.warn("Recording operator '{}' again failed", operator.name(), e);
            }
        }
        for (DeploymentRecord record : waiting.values()) {
            try {
                records.deployed(record.getSpec(), record.getVersion());
            } catch (IOException e) {
                LOG.warn("Recording operator '{}' again failed", record.getSpec().getName(), e);
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
        stopShards(operator, Error.Code.UNKNOWN_OPERATOR, "operator '" + name + "' was undeployed");
        LOG.info("Undeployed operator '{}'", name);
        return operator;
    }

    /** Stops every operator after its shards have finished what they accepted. */
    public synchronized void stopAll(String message) {
        for (DeployedOperator operator : List.copyOf(deployed.values())) {
            deployed.remove(operator.name());
            stopShards(operator, Error.Code.SHUTTING_DOWN, message);
        }
    }

    private static void stopShards(DeployedOperator operator, Error.Code code, String message) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Shard shard : operator.shards()) {
            stops.add(shard.stop(code, message));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(SWAP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (Shard shard : operator.shards()) {
                shard.awaitStopped(TimeUnit.SECONDS.toMillis(SWAP_TIMEOUT_SECONDS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Operator '{}' did not stop cleanly", operator.name(), e);
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

    private OperatorDefinition definition(OperatorSpec spec) throws OperatorException {
        OperatorDefinition definition;
        try {
            definition = SpecProtos.toDefinition(spec);
        } catch (IllegalArgumentException e) {
            throw new OperatorException(OperatorException.Reason.INVALID_SPEC, e.getMessage());
        }
        if (languages.adapter(definition.language()) == null) {
            throw new OperatorException(OperatorException.Reason.UNKNOWN_LANGUAGE, "unknown language '" + definition.language()
                    + "' for operator '" + definition.name() + "'; this host runs: " + String.join(", ", languages.languages()));
        }
        return definition;
    }

    private CompiledOperator compile(OperatorDefinition definition) throws OperatorException {
        LanguageAdapter adapter = languages.adapter(definition.language());
        try {
            return withClassLoader(adapter.getClass().getClassLoader(), () -> adapter.compile(definition));
        } catch (OperatorCompileException e) {
            throw new OperatorException(OperatorException.Reason.COMPILE_ERROR, "operator '" + definition.name()
                    + "' does not compile: " + e.getMessage(), e.problems(), e);
        } catch (OperatorUnavailableException e) {
            throw new OperatorException(OperatorException.Reason.UNAVAILABLE, "operator '" + definition.name()
                    + "' cannot be compiled now: " + e.getMessage(), List.of(), e);
        } catch (RuntimeException e) {
            throw new OperatorException(OperatorException.Reason.FAILED, "the " + definition.language()
                    + " adapter failed to compile operator '" + definition.name() + "': " + e, List.of(), e);
        }
    }

    private interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs {@code work} with {@code loader} as the context class loader: adapters and their operators expect their own. */
    private static <T, E extends Exception> T withClassLoader(ClassLoader loader, Work<T, E> work) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return work.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * One instance per shard; with {@code replacing}, each replaces that shard's running instance and
     * may leave out what it can take over from it at the switch.
     */
    private static List<OperatorInstance> instantiate(CompiledOperator compiled, OperatorDefinition definition, long version,
                                                      DeployedOperator replacing) throws OperatorException {
        List<OperatorInstance> instances = new ArrayList<>();
        try {
            return withClassLoader(compiled.getClass().getClassLoader(), () -> {
                for (int s = 0; s < definition.shards(); s++) {
                    ShardContext context = new ShardContext(definition.name(), s, definition.shards(), version);
                    instances.add(replacing == null ? compiled.instantiate(context)
                            : compiled.instantiateReplacing(context, replacing.shard(s).runningInstance()));
                }
                return instances;
            });
        } catch (Exception e) {
            instances.forEach(OperatorInstance::close);
            throw new OperatorException(OperatorException.Reason.FAILED, "operator '" + definition.name()
                    + "' compiled but could not start: " + e, List.of(), e);
        }
    }
}
