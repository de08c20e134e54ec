package io.vigil.runtime;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.protobuf.services.HealthStatusManager;
import io.vigil.api.proto.ControlPlaneGrpc;
import io.vigil.api.proto.DataPlaneGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.vigil.runtime.console.ConsoleServer;
import io.vigil.runtime.console.OperatorTimelines;
import io.vigil.runtime.control.ControlPlaneService;
import io.vigil.runtime.control.RequestErrors;
import io.vigil.runtime.dataplane.DataPlaneService;
import io.vigil.runtime.operator.Operators;
import io.vigil.runtime.plugin.LanguagePlugins;
import io.vigil.state.CheckpointStore;
import io.vigil.state.StoreOptions;
import java.io.IOException;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.vigil.api.security.TransportSecurity;
import io.grpc.ServerInterceptors;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.vigil.runtime.security.AccessPolicy;
import io.vigil.runtime.security.AuditLog;
import io.vigil.runtime.security.BearerTokens;
import io.vigil.runtime.security.CallerInterceptor;
import io.vigil.runtime.security.HostAccess;
import io.vigil.runtime.security.HostTls;
import io.vigil.runtime.state.HandleSeal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The function host: serves the data and control planes over one gRPC port, beside the standard
 * gRPC health service ({@code grpc.health.v1.Health}), and runs the deployed operators' shards. {@link #close()} drains: it stops taking new streams and operators, lets open
 * streams finish within the grace period, answers every batch it accepted, then stops.
 */
public final class FunctionHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FunctionHost.class);

    private final Settings settings;
    private final CheckpointStore store;
    private final Operators operators;
    private final Server server;
    // Plaintext, the standard health service only: for probes that cannot speak TLS (Kubernetes' gRPC probes). Null when not asked for.
    private final Server healthServer;
    private final HealthStatusManager health = new HealthStatusManager();
    private final HostAccess access;
    private final AuditLog audit;
    // The Prometheus endpoint; null when not asked for.
    private HTTPServer metricsServer;
    private final ControlPlaneService control;
    private final CallerInterceptor callers;
    // The web console and what it charts; null when not asked for.
    private ConsoleServer console;
    private final OperatorTimelines timelines;
    // Whether this host made the state directory, or found it empty: a failed start removes what it wrote there.
    private final boolean createdStateDirectory;
    private final boolean freshStore;
    private volatile boolean draining;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("vigil-host-housekeeping"));

    private FunctionHost(Settings settings) throws IOException {
        this.settings = settings;
        // First, so a policy that does not parse stops the host before it opens anything.
        AccessPolicy policy = settings.policy == null ? AccessPolicy.openToAll() : AccessPolicy.load(settings.policy);
        this.createdStateDirectory = settings.stateDirectory != null && !Files.exists(settings.stateDirectory);
        this.freshStore = settings.stateDirectory != null && isEmpty(settings.stateDirectory);
        this.store = settings.stateDirectory == null ? null
                : CheckpointStore.open(settings.stateDirectory,
                        new StoreOptions(settings.segmentBytes, settings.storeBytes, 3, settings.discardDamagedCheckpoints));
        if (store != null) {
            for (String damage : store.discardedDamage()) {
                LOG.error("State store at {} was damaged; set aside as told: {}", settings.stateDirectory, damage);
            }
        }
        this.operators = new Operators(LanguagePlugins.load(settings.pluginsDirectory, settings.languageSettings), settings.ringSize, store,
                store == null ? HandleSeal.ephemeral() : HandleSeal.of(settings.stateDirectory),
                settings.tls == null ? TransportSecurity.plaintext() : settings.tls.asClient(), settings.compileBudget);
        ServerCredentials credentials = settings.tls == null ? InsecureServerCredentials.create()
                : settings.tls.serverCredentials(settings.tlsReload, housekeeping, settings.tokens == null);
        this.audit = settings.auditLog == null ? AuditLog.toLogger() : AuditLog.toFile(settings.auditLog);
        this.access = new HostAccess(settings.tls == null ? policy : policy.withPeer(settings.tls.subjectName()), audit,
                settings.maxStreamsPerClient);
        this.callers = new CallerInterceptor(settings.tokens, settings.tls == null && policy.isOpen());
        this.control = new ControlPlaneService(operators, access, () -> draining);
        this.timelines = settings.consolePort < 0 ? null : new OperatorTimelines(operators::all, operators.metrics());
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(settings.bindAddress, settings.port), credentials)
                .maxInboundMessageSize(settings.maxMessageBytes)
                .addService(ServerInterceptors.intercept(
                        new DataPlaneService(operators, access, settings.credits, () -> draining, housekeeping).definition(), callers))
                .addService(ServerInterceptors.intercept(RequestErrors.around(control.bindService()), callers))
                .addService(health.getHealthService())
                .build();
        this.healthServer = settings.healthPort < 0 ? null
                : NettyServerBuilder.forAddress(new InetSocketAddress(settings.bindAddress, settings.healthPort),
                        InsecureServerCredentials.create()).addService(health.getHealthService()).build();
    }

    public static Settings builder() {
        return new Settings();
    }

    /**
     * Deploys again what the store holds, then listens. A host that cannot listen stops what it
     * started and removes a store it created, so a failed start leaves nothing behind.
     *
     * @throws IOException naming the address when the port cannot be bound
     */
    public FunctionHost start() throws IOException {
        operators.redeployFromStore();
        try {
            server.start();
            if (healthServer != null) {
                healthServer.start();
            }
        } catch (IOException e) {
            server.shutdownNow();
            operators.stopAll("the function host could not start");
            housekeeping.shutdownNow();
            removeStoreItCreated();
            throw new IOException("cannot listen on " + settings.bindAddress + ":" + settings.port + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        if (settings.metricsPort >= 0) {
            try {
                metricsServer = HTTPServer.builder().inetAddress(InetAddress.getByName(settings.bindAddress)).port(settings.metricsPort)
                        .registry(operators.metrics().registry()).buildAndStart();
            } catch (IOException e) {
                close();
                throw new IOException("cannot serve metrics on " + settings.bindAddress + ":" + settings.metricsPort + ": " + e.getMessage(), e);
            }
        }
        if (settings.consolePort >= 0) {
            try {
                console = ConsoleServer.start(settings.bindAddress, settings.consolePort,
                        settings.tls == null ? null : settings.tls.sslContext(), callers, control, operators, access, timelines);
            } catch (IOException e) {
                close();
                throw new IOException("cannot serve the console on " + settings.bindAddress + ":" + settings.consolePort + ": "
                        + e.getMessage(), e);
            }
            housekeeping.scheduleAtFixedRate(timelines::sample, 1, 1, TimeUnit.SECONDS);
        }
        for (String service : new String[] {"", DataPlaneGrpc.SERVICE_NAME, ControlPlaneGrpc.SERVICE_NAME}) {
            health.setStatus(service, HealthCheckResponse.ServingStatus.SERVING);
        }
        housekeeping.scheduleWithFixedDelay(operators::reclaimIdleState, 1, 1, TimeUnit.SECONDS);
        housekeeping.scheduleAtFixedRate(operators::sampleBusy, 1, 1, TimeUnit.SECONDS);
        if (store != null) {
            housekeeping.scheduleWithFixedDelay(operators::retryWaitingRedeploys, 2, 2, TimeUnit.SECONDS);
            LOG.info("State store at {} with {} checkpoints: {}", settings.stateDirectory, store.checkpoints().size(), store.modeReason());
        }
        LOG.info("Function host listening on {}:{} ({}{}; {}) with languages {}", settings.bindAddress, port(),
                settings.tls != null ? settings.tls : "plaintext" + (settings.plaintext ? ", as told" : ", loopback only"),
                settings.tokens == null ? "" : ", bearer tokens signed by " + settings.tokens, access, operators.languages());
        return this;
    }

    public int port() {
        return server.getPort();
    }

    /** host:port to reach this host from the same machine. */
    public String endpoint() {
        return localAddress() + ":" + port();
    }

    /** The address this host is reached at from the same machine. */
    private String localAddress() {
        return settings.bindAddress.equals("0.0.0.0") ? "127.0.0.1" : settings.bindAddress;
    }

    /** The port of the Prometheus endpoint ({@code /metrics}); -1 when the host serves none. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.getPort();
    }

    /** The web console's address from this machine ({@code http://} or {@code https://}); null when the host serves none. */
    public String consoleUrl() {
        if (console == null) {
            return null;
        }
        String address = localAddress();
        return (console.isHttps() ? "https://" : "http://") + (address.contains(":") ? "[" + address + "]" : address) + ":"
                + console.port() + "/";
    }

    public Operators operators() {
        return operators;
    }

    /** The state store, or null when the host keeps no state. */
    public CheckpointStore store() {
        return store;
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        draining = true;
        // The standard health service says NOT_SERVING from here on, so balancers and probes stop sending.
        health.enterTerminalState();
        housekeeping.shutdownNow();
        server.shutdown();
        if (metricsServer != null) {
            metricsServer.close();
        }
        if (console != null) {
            console.close();
        }
        if (healthServer != null) {
            healthServer.shutdownNow();
        }
        try {
            if (!server.awaitTermination(settings.gracePeriod.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.info("Streams still open after {}; ending them once their accepted batches are answered", settings.gracePeriod);
            }
            operators.stopAll("the function host is shutting down");
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
            if (store != null) {
                store.close();
            }
            audit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        } catch (IOException e) {
            LOG.warn("Closing the state store failed", e);
        }
        LOG.info("Function host stopped");
    }

    private void removeStoreItCreated() throws IOException {
        if (store == null) {
            return;
        }
        store.close();
        if (!freshStore) {
            return;
        }
        try (Stream<Path> created = Files.walk(settings.stateDirectory)) {
            for (Path path : created.sorted(Comparator.reverseOrder()).toList()) {
                if (!path.equals(settings.stateDirectory) || createdStateDirectory) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static boolean isEmpty(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return !Files.exists(directory);
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }

    /** How to run a host; {@link #build()} makes it. */
    public static final class Settings {
        // Null: loopback in plaintext, every interface with TLS.
        private String bindAddress;
        private HostTls tls;
        private boolean plaintext;
        private Path policy;
        private final java.util.Map<String, java.util.Map<String, String>> languageSettings = new java.util.TreeMap<>();
        private Path auditLog;
        private BearerTokens tokens;
        private Duration tlsReload = Duration.ofSeconds(60);
        private Duration compileBudget = Duration.ofSeconds(60);
        private int healthPort = -1;
        private int port = 7070;
        private Path pluginsDirectory = Path.of("plugins");
        private int credits = 8;
        private int ringSize = 4096;
        private int maxMessageBytes = 64 << 20;
        private int maxStreamsPerClient = 256;
        private int metricsPort = -1;
        private int consolePort = -1;
        private Duration gracePeriod = Duration.ofSeconds(10);
        private Path stateDirectory;
        private int segmentBytes = 64 << 20;
        private long storeBytes = 8L << 30;
        private boolean discardDamagedCheckpoints;

        /** Where shards checkpoint their state (a DAX mount for persistent memory); none by default. */
        public Settings stateDirectory(Path value) {
            stateDirectory = value;
            return this;
        }

        /**
         * Opens a damaged store anyway, keeping every checkpoint that is still intact and setting the
         * damage aside (logged); without it a damaged store stops the host from starting.
         */
        public Settings discardDamagedCheckpoints(boolean value) {
            discardDamagedCheckpoints = value;
            return this;
        }

        public Settings storeSize(int segmentBytesValue, long maxBytes) {
            segmentBytes = segmentBytesValue;
            storeBytes = maxBytes;
            return this;
        }

        public Settings bindAddress(String value) {
            bindAddress = value;
            return this;
        }

        /** Serves TLS, requiring every client to present a certificate the authority in {@code tls} signed. */
        public Settings tls(HostTls value) {
            tls = value;
            return this;
        }

        /** Who may do what, and each tenant's quota (see {@link AccessPolicy}); without one every authenticated caller may do everything. */
        public Settings policy(Path value) {
            policy = value;
            return this;
        }

        /**
         * A setting of one language's adapter: what its operators may do on this host (for
         * {@code esper}: {@code allowClasses}, {@code allowInlinedClasses}).
         */
        public Settings languageSetting(String language, String key, String value) {
            languageSettings.computeIfAbsent(language, l -> new java.util.TreeMap<>()).put(key, value);
            return this;
        }

        /** The largest message the host reads: a batch, or a spec with its artifact. */
        public Settings maxMessageBytes(int value) {
            maxMessageBytes = value;
            return this;
        }

        /** Serves the host's metrics for Prometheus at {@code /metrics} on this port (0: any free one), plaintext. */
        public Settings metricsPort(int value) {
            metricsPort = value;
            return this;
        }

        /**
         * Serves the web console on this port (0: any free one): HTTPS with the host's certificate
         * when it serves TLS, and the same callers, rights and audit as its gRPC port.
         */
        public Settings consolePort(int value) {
            consolePort = value;
            return this;
        }

        /** Data-plane streams one caller may have open at once, over all operators. */
        public Settings maxStreamsPerClient(int value) {
            maxStreamsPerClient = value;
            return this;
        }

        /** Appends the audit log (JSON lines) to this file instead of the {@code io.vigil.audit} logger. */
        public Settings auditLog(Path value) {
            auditLog = value;
            return this;
        }

        /** Takes bearer tokens signed by these keys as callers' identities; with TLS, client certificates become optional. */
        public Settings bearerTokens(BearerTokens value) {
            tokens = value;
            return this;
        }

        /** Serves plaintext even on an address beyond loopback (without it, such a host needs TLS). */
        public Settings plaintext() {
            plaintext = true;
            return this;
        }

        /**
         * Also serves the standard gRPC health service, and nothing else, in plaintext on this port
         * (0: any free one): for probes that cannot speak TLS, such as Kubernetes' gRPC probes.
         */
        public Settings healthPort(int value) {
            healthPort = value;
            return this;
        }

        /** How long one compile may take; past it, it is given up and the deploy or update refused. */
        public Settings compileBudget(Duration value) {
            compileBudget = value;
            return this;
        }

        /** How often the TLS files are read again, so a renewed certificate is served without a restart. */
        public Settings tlsReload(Duration value) {
            tlsReload = value;
            return this;
        }

        /** Loopback only, on a free port: for local runs and tests. */
        public Settings loopback() {
            return bindAddress("127.0.0.1").port(0);
        }

        /** 0 picks a free port. */
        public Settings port(int value) {
            port = value;
            return this;
        }

        public Settings pluginsDirectory(Path value) {
            pluginsDirectory = value;
            return this;
        }

        /** Unanswered batches each stream may have in flight. */
        public Settings credits(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("credits must be at least 1");
            }
            credits = value;
            return this;
        }

        /** Slots in each shard's ring; a power of two. */
        public Settings ringSize(int value) {
            if (Integer.bitCount(value) != 1) {
                throw new IllegalArgumentException("ring size must be a power of two, not " + value);
            }
            ringSize = value;
            return this;
        }

        public Settings gracePeriod(Duration value) {
            gracePeriod = value;
            return this;
        }

        /**
         * @throws IllegalArgumentException when the host would serve plaintext beyond loopback without
         *                                  being told to, or is told both plaintext and TLS
         */
        public FunctionHost build() throws IOException {
            if (tls != null && plaintext) {
                throw new IllegalArgumentException("a host serves TLS or plaintext, not both: drop --plaintext or the --tls options");
            }
            if (bindAddress == null) {
                bindAddress = tls == null ? "127.0.0.1" : "0.0.0.0";
            }
            if (tls == null && !plaintext && !InetAddress.getByName(bindAddress).isLoopbackAddress()) {
                throw new IllegalArgumentException("a host listening on " + bindAddress + " (beyond loopback) needs TLS: give it"
                        + " --tls-cert, --tls-key and --tls-client-ca; or --plaintext to serve anyone who can reach it without");
            }
            if (tls == null && InetAddress.getByName(bindAddress).isLoopbackAddress()) {
                // One person's machine: their own Java operators need no signature.
                languageSettings.computeIfAbsent("java", l -> new java.util.TreeMap<>()).putIfAbsent("allowUnsigned", "true");
            }
            return new FunctionHost(this);
        }
    }
}
