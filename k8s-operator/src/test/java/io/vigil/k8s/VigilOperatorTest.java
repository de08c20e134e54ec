package io.vigil.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorPool;
import io.vigil.k8s.customresource.OperatorPlacement;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.codec.SwapReports;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.k8s.customresource.CepOperator;
import io.vigil.k8s.customresource.Autoscaling;
import io.vigil.k8s.customresource.CepOperatorSpec;
import io.vigil.k8s.customresource.FunctionHost;
import io.vigil.k8s.customresource.FunctionHostSpec;
import io.vigil.k8s.customresource.LastSwap;
import io.vigil.k8s.customresource.SchemaSpec;
import io.vigil.k8s.customresource.SourceFrom;
import io.vigil.k8s.host.HostStatefulSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator against fabric8's mock API server in CRUD mode (no API server can run here), with a
 * real function host process behind it: what the reconcilers do is checked both in the API
 * server's objects and, over gRPC, on the host.
 */
@EnableKubernetesMockClient(crud = true)
class VigilOperatorTest {
    static final String NAMESPACE = "fraud";
    static final String RULE = "@name('LARGE') select 'LARGE' as rule, cardId, txnId, amount, ts from Txn(amount >= LIMIT)";

    static final String ELASTIC_POOL = "elastic";

    static KubernetesClient client;
    static LocalHost host;
    static LocalHost secondHost;
    static VigilOperator operator;
    static ManagedChannel channel;
    static ControlPlaneClient control;

    @BeforeAll
    static void start(@TempDir Path state, @TempDir Path secondState) throws Exception {
        try (Stream<Path> crds = Files.list(Path.of("target", "classes", "META-INF", "fabric8"))) {
            for (Path crd : crds.filter(f -> f.toString().endsWith("-v1.yml")).toList()) {
                client.apiextensions().v1().customResourceDefinitions().load(crd.toFile()).create();
            }
        }
        host = LocalHost.start(state);
        secondHost = LocalHost.start(secondState);
        channel = NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
        control = new ControlPlaneClient(channel, Duration.ofSeconds(30));
        // The stand-in for the pools' DNS names: pool "elastic" has pods on both local hosts, every other pool the first.
        operator = new VigilOperator(client, (pool, replicas) -> pool.getMetadata().getName().equals(ELASTIC_POOL)
                ? List.of(host.endpoint(), secondHost.endpoint()).subList(0, Math.min(replicas, 2)) : List.of(host.endpoint())).start();
    }

    @AfterAll
    static void stop() throws Exception {
        operator.close();
        channel.shutdownNow();
        host.close();
        secondHost.close();
    }

    /**
     * An operator spreads its shards over its pool's pods; editing its shard count rescales it,
     * scaling the pool in moves its shards off the pods that go before they go, and autoscaling
     * brings an idle operator's shards down to its minimum.
     */
    @Test
    void aCepOperatorSpreadsOverItsPoolAndMovesWhenItsShardsOrThePoolChange() {
        FunctionHost pool = pool(ELASTIC_POOL);
        pool.getSpec().setReplicas(2);
        client.resource(pool).create();
        CepOperator resource = cepOperator("spread-charges", ELASTIC_POOL);
        resource.getSpec().setSource(RULE.replace("LIMIT", "500"));
        client.resource(resource).create();

        CepOperator spread = awaitStatus("spread-charges", s -> s.getPlacement() != null && condition(s.getConditions(), "Placed"));
        assertThat(spread.getStatus().getPlacement().getEpoch()).isEqualTo(1);
        assertThat(spread.getStatus().getPlacement().getShards()).extracting(OperatorPlacement.PlacedShard::getPod).containsExactly(0, 1);
        assertThat(spread.getStatus().getEndpoint()).isEqualTo(host.endpoint() + "," + secondHost.endpoint());
        try (OperatorPool hosts = new OperatorPool(List.of(host.endpoint()),
                endpoint -> NettyChannelBuilder.forTarget(endpoint).usePlaintext().build(), Duration.ofSeconds(30))) {
            assertThat(hosts.host(secondHost.endpoint()).describe("spread-charges").getShardsList()).extracting(s -> s.getShard())
                    .containsExactly(1);

            edit("spread-charges", spec -> spec.setShards(4));
            CepOperator four = awaitStatus("spread-charges", s -> s.getPlacement() != null && s.getPlacement().getEpoch() == 2
                    && condition(s.getConditions(), "Placed"));
            assertThat(four.getStatus().getPlacement().getShards()).extracting(OperatorPlacement.PlacedShard::getPod)
                    .containsExactly(0, 1, 0, 1);
            assertThat(four.getStatus().getPlacement().getShards()).extracting(OperatorPlacement.PlacedShard::getKeyGroups)
                    .containsExactly("0-31", "32-63", "64-95", "96-127");

            client.resources(FunctionHost.class).inNamespace(NAMESPACE).withName(ELASTIC_POOL).edit(p -> {
                p.getSpec().setReplicas(1);
                return p;
            });
            CepOperator moved = awaitStatus("spread-charges", s -> s.getPlacement() != null && s.getPlacement().getEpoch() == 3);
            assertThat(moved.getStatus().getPlacement().getShards()).extracting(OperatorPlacement.PlacedShard::getPod)
                    .containsOnly(0);
            assertThat(hosts.host(secondHost.endpoint()).describe("spread-charges").getShardsList())
                    .as("the pod that goes serves nothing").isEmpty();
            await(() -> client.apps().statefulSets().inNamespace(NAMESPACE).withName(ELASTIC_POOL).get(),
                    set -> set != null && set.getSpec().getReplicas() == 1);

            // Autoscaling reads the hosts' busy fractions: idle, the 4 shards come down to the minimum once the window has passed.
            edit("spread-charges", spec -> {
                Autoscaling autoscaling = new Autoscaling();
                autoscaling.setMinShards(1);
                autoscaling.setMaxShards(4);
                autoscaling.setStabilizationSeconds(1);
                spec.setAutoscaling(autoscaling);
            });
            CepOperator scaled = awaitStatus("spread-charges", s -> s.getPlacement() != null && s.getPlacement().getShards().size() == 1);
            assertThat(scaled.getStatus().getAutoscaling().getLastScale()).isEqualTo("4 -> 1 shards");
            assertThat(scaled.getStatus().getAutoscaling().getBusy()).isLessThan(0.1);
            assertThat(scaled.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Autoscaled")).singleElement()
                    .satisfies(c -> assertThat(c.getReason()).isIn("ScaledDown", "WithinTarget"));
            assertThat(hosts.host(host.endpoint()).describe("spread-charges").getShardsList()).hasSize(1);

            client.resource(scaled).delete();
            await(() -> hosts.host(host.endpoint()).list().stream().noneMatch(o -> o.getSpec().getName().equals("spread-charges"))
                    && hosts.host(secondHost.endpoint()).list().stream().noneMatch(o -> o.getSpec().getName().equals("spread-charges")),
                    gone -> gone);
        }
    }

    @Test
    void aPoolToldToDiscardDamagedCheckpointsPassesItToItsHosts() {
        FunctionHost pool = pool("recovering");
        pool.getSpec().setDiscardDamagedCheckpoints(true);
        client.resource(pool).create();
        StatefulSet set = await(() -> client.apps().statefulSets().inNamespace(NAMESPACE).withName("recovering").get(), s -> s != null);
        assertThat(set.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains("--discard-damaged-checkpoints")
                .as("a pool without TLS serves plaintext only when it says so").containsSequence("--bind", "0.0.0.0", "--plaintext");
    }

    @Test
    void aFunctionHostIsAStatefulSetWithAStateVolumePerPodAndAHeadlessService() {
        FunctionHost pool = pool("hosts");
        pool.getSpec().setReplicas(3);
        pool.getSpec().setTlsSecretName("vigil-tls");
        pool.getSpec().setConsolePort(8443);
        client.resource(pool).create();

        StatefulSet set = await(() -> client.apps().statefulSets().inNamespace(NAMESPACE).withName("hosts").get(), s -> s != null);
        assertThat(set.getSpec().getReplicas()).isEqualTo(3);
        assertThat(set.getSpec().getServiceName()).isEqualTo("hosts");
        var container = set.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("vigil/function-host:0.1.0");
        assertThat(container.getArgs()).containsSequence("--state-dir", HostStatefulSet.STATE_DIRECTORY)
                .containsSequence("--tls-cert", HostStatefulSet.TLS_DIRECTORY + "/tls.crt", "--tls-key",
                        HostStatefulSet.TLS_DIRECTORY + "/tls.key", "--tls-client-ca", HostStatefulSet.TLS_DIRECTORY + "/ca.crt",
                        "--health-port", "7071")
                .containsSequence("--metrics-port", "9464").containsSequence("--console-port", "8443")
                .doesNotContain("--discard-damaged-checkpoints", "--plaintext", "--bind");
        assertThat(container.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("grpc:7070", "metrics:9464", "console:8443");
        assertThat(set.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", "9464");
        assertThat(container.getReadinessProbe().getGrpc().getPort()).as("probes speak plaintext to the health port").isEqualTo(7071);
        assertThat(container.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath())
                .contains("state:" + HostStatefulSet.STATE_DIRECTORY, "tls:" + HostStatefulSet.TLS_DIRECTORY);
        assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo("state");
            assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("8Gi");
        });
        assertThat(set.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> assertThat(owner.getKind()).isEqualTo("FunctionHost"));

        Service service = await(() -> client.services().inNamespace(NAMESPACE).withName("hosts").get(), s -> s != null);
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactly("grpc:7070", "metrics:9464", "console:8443");
        assertThat(service.getSpec().getSelector()).isEqualTo(set.getSpec().getSelector().getMatchLabels());

        FunctionHost onDax = pool("dax-hosts");
        onDax.getSpec().getStateVolume().setHostPath("/mnt/pmem0/vigil");
        client.resource(onDax).create();
        StatefulSet daxSet = await(() -> client.apps().statefulSets().inNamespace(NAMESPACE).withName("dax-hosts").get(), s -> s != null);
        assertThat(daxSet.getSpec().getVolumeClaimTemplates()).isEmpty();
        assertThat(daxSet.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/mnt/pmem0/vigil"));
        assertThat(await(() -> client.resources(FunctionHost.class).inNamespace(NAMESPACE).withName("hosts").get(),
                p -> p.getStatus() != null).getStatus().getServiceName()).isEqualTo("hosts");
    }

    @Test
    void aCepOperatorIsDeployedHotSwappedOnEditRefusedWhenBrokenAndUndeployedOnDelete() {
        client.resource(pool("swap-pool")).create();
        CepOperator resource = cepOperator("large-charges", "swap-pool");
        resource.getSpec().setSource(RULE.replace("LIMIT", "500"));
        client.resource(resource).create();

        CepOperator deployed = awaitStatus("large-charges", s -> s.getActiveVersion() != null && condition(s.getConditions(), "Ready"));
        assertThat(deployed.getStatus().getActiveVersion()).isEqualTo(1);
        assertThat(deployed.getStatus().getEndpoint()).isEqualTo(host.endpoint());
        assertThat(deployed.getStatus().getObservedGeneration()).isEqualTo(deployed.getMetadata().getGeneration());
        assertThat(control.describe("large-charges").getSpec().getSource()).contains(">= 500");

        edit("large-charges", spec -> spec.setSource(RULE.replace("LIMIT", "200")));
        CepOperator swapped = awaitStatus("large-charges", s -> Long.valueOf(2).equals(s.getActiveVersion()));
        assertThat(swapped.getStatus().getLastSwapMillis()).isNotNull().isPositive();
        LastSwap lastSwap = swapped.getStatus().getLastSwap();
        assertThat(lastSwap.getVersion()).isEqualTo(2);
        assertThat(lastSwap.getStateCarried()).isTrue();
        assertThat(lastSwap.getSummary()).isEqualTo(SwapReports.describe(control.describe("large-charges").getShards(0).getLastSwap()));
        assertThat(conditionOf(swapped, "Swapping").getReason()).isEqualTo("Swapped");
        assertThat(conditionOf(swapped, "Compiled").getStatus()).isEqualTo("True");
        var onHost = control.describe("large-charges");
        assertThat(onHost.getVersion()).as("swapped in place on the same host").isEqualTo(2);
        assertThat(onHost.getSpec().getSource()).contains(">= 200");

        edit("large-charges", spec -> spec.setSource(RULE.replace("LIMIT", "200").replace("from Txn", "fro Txn")));
        CepOperator refused = awaitStatus("large-charges", s -> "CompileError".equals(reason(s.getConditions(), "Compiled")));
        assertThat(conditionOf(refused, "Compiled").getMessage()).contains("line 1, column");
        assertThat(conditionOf(refused, "Ready").getStatus()).isEqualTo("True");
        assertThat(refused.getStatus().getActiveVersion()).isEqualTo(2);
        assertThat(control.describe("large-charges").getVersion()).as("the previous version keeps serving").isEqualTo(2);

        client.resource(refused).delete();
        await(() -> client.resources(CepOperator.class).inNamespace(NAMESPACE).withName("large-charges").get(), r -> r == null);
        assertThat(notDeployed("large-charges")).as("undeployed from the host").isTrue();
    }

    @Test
    void aPoolEditChangesItsStatefulSetAndAMissingPoolIsReported() {
        client.resource(pool("growing")).create();
        await(() -> client.apps().statefulSets().inNamespace(NAMESPACE).withName("growing").get(), s -> s != null);
        retryingConflicts(() -> client.resources(FunctionHost.class).inNamespace(NAMESPACE).withName("growing").edit(p -> {
            p.getSpec().setReplicas(4);
            p.getSpec().setImage("vigil/function-host:0.2.0");
            return p;
        }));
        StatefulSet grown = await(() -> client.apps().statefulSets().inNamespace(NAMESPACE).withName("growing").get(),
                s -> s.getSpec().getReplicas() == 4);
        assertThat(grown.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("vigil/function-host:0.2.0");

        CepOperator orphan = cepOperator("orphan", "no-such-pool");
        orphan.getSpec().setSource(RULE.replace("LIMIT", "100"));
        client.resource(orphan).create();
        CepOperator waiting = awaitStatus("orphan", s -> "PoolNotFound".equals(reason(s.getConditions(), "Ready")));
        assertThat(conditionOf(waiting, "Ready").getStatus()).isEqualTo("False");
        assertThat(notDeployed("orphan")).isTrue();

        client.resource(pool("no-such-pool")).create();
        awaitStatus("orphan", s -> Long.valueOf(1).equals(s.getActiveVersion()) && condition(s.getConditions(), "Ready"));
        assertThat(control.describe("orphan").getVersion()).as("deployed once its pool exists").isEqualTo(1);
    }

    @Test
    void aSourceFromAConfigMapIsDeployedAndAChangeToItSwaps() {
        client.resource(pool("config-pool")).create();
        client.resource(new ConfigMapBuilder().withMetadata(new ObjectMetaBuilder().withName("rules").withNamespace(NAMESPACE).build())
                .withData(Map.of("large.epl", RULE.replace("LIMIT", "900"))).build()).create();
        CepOperator resource = cepOperator("from-config", "config-pool");
        SourceFrom from = new SourceFrom();
        from.setConfigMap("rules");
        from.setKey("large.epl");
        resource.getSpec().setSourceFrom(from);
        client.resource(resource).create();
        awaitStatus("from-config", s -> Long.valueOf(1).equals(s.getActiveVersion()));
        assertThat(control.describe("from-config").getSpec().getSource()).contains(">= 900");

        client.configMaps().inNamespace(NAMESPACE).withName("rules").edit(cm -> {
            cm.setData(Map.of("large.epl", RULE.replace("LIMIT", "300")));
            return cm;
        });
        awaitStatus("from-config", s -> Long.valueOf(2).equals(s.getActiveVersion()));
        assertThat(control.describe("from-config").getSpec().getSource()).contains(">= 300");
    }

    @Test
    void theSampleResourcesRunTheFourFraudRules() throws Exception {
        var serialization = client.getKubernetesSerialization();
        createSamplePool();
        client.resource(new ConfigMapBuilder().withMetadata(new ObjectMetaBuilder().withName("fraud-rules").withNamespace(NAMESPACE).build())
                .withData(Map.of("fraud-rules.epl", Files.readString(
                        Path.of("..", "examples", "fraud-detection", "src", "main", "resources", "fraud", "fraud-rules.epl"))))
                .build()).create();
        CepOperator rules = serialization.unmarshal(Files.readString(Path.of("deploy", "samples", "fraud-rules.yaml")), CepOperator.class);
        rules.getMetadata().setNamespace(NAMESPACE);
        client.resource(rules).create();

        awaitStatus("fraud-rules", s -> Long.valueOf(1).equals(s.getActiveVersion()));
        var onHost = control.describe("fraud-rules");
        assertThat(onHost.getShardsCount()).isEqualTo(2);
        assertThat(onHost.getSpec().getSource()).contains("SMALL_THEN_LARGE", "VELOCITY", "IMPOSSIBLE_TRAVEL", "ABOVE_AVERAGE");
        assertThat(onHost.getSpec().getOptionsMap()).containsEntry("swap-state", "replay");
    }

    @Test
    void aJavaOperatorsJarComesFromAConfigMapsBinaryDataAndANewBuildOfItSwapsTheOperator() throws Exception {
        client.resource(pool("jar-hosts")).create();
        byte[] jar = FraudFunctions.jar();
        client.resource(new ConfigMapBuilder().withMetadata(new ObjectMetaBuilder().withName("rules-jar").withNamespace(NAMESPACE).build())
                .withBinaryData(Map.of("rules.jar", Base64.getEncoder().encodeToString(jar))).build()).create();
        CepOperator resource = cepOperator("java-small-then-large", "jar-hosts");
        resource.getSpec().setLanguage("java");
        resource.getSpec().setSource("io.vigil.examples.fraud.functions.SmallThenLarge");
        SourceFrom artifact = new SourceFrom();
        artifact.setConfigMap("rules-jar");
        artifact.setKey("rules.jar");
        resource.getSpec().setArtifactFrom(artifact);
        client.resource(resource).create();

        awaitStatus("java-small-then-large", s -> Long.valueOf(1).equals(s.getActiveVersion()));
        assertThat(control.describe("java-small-then-large").getSpec().getArtifact().toByteArray()).isEqualTo(jar);

        byte[] rebuilt = withEntry(jar, "BUILD", "2");
        client.configMaps().inNamespace(NAMESPACE).withName("rules-jar").edit(cm -> {
            cm.setBinaryData(Map.of("rules.jar", Base64.getEncoder().encodeToString(rebuilt)));
            return cm;
        });
        awaitStatus("java-small-then-large", s -> Long.valueOf(2).equals(s.getActiveVersion()));
        var onHost = control.describe("java-small-then-large");
        assertThat(onHost.getSpec().getArtifact().toByteArray()).isEqualTo(rebuilt);
        assertThat(onHost.getShards(0).getLastSwap().getVersion()).isEqualTo(2);
        assertThat(onHost.getShards(0).getLastSwap().getTakenOver().getUnit()).as("state taken over").isEqualTo("keys");

        edit("java-small-then-large", spec -> spec.getArtifactFrom().setKey("missing.jar"));
        CepOperator refused = awaitStatus("java-small-then-large", s -> "InvalidSpec".equals(reason(s.getConditions(), "Compiled")));
        assertThat(conditionOf(refused, "Compiled").getMessage()).contains("spec.artifactFrom: ConfigMap rules-jar has no key missing.jar in binaryData");
        assertThat(control.describe("java-small-then-large").getVersion()).as("version 2 keeps serving").isEqualTo(2);

        client.resource(resource).delete();
        await(() -> notDeployed("java-small-then-large"), undeployed -> undeployed);
    }

    static byte[] withEntry(byte[] jar, String name, String content) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var in = new java.util.jar.JarInputStream(new java.io.ByteArrayInputStream(jar));
             var out = new java.util.jar.JarOutputStream(bytes)) {
            for (var entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                out.putNextEntry(new java.util.jar.JarEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new java.util.jar.JarEntry(name));
            out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void anOperatorWhoseProcessIsNotUpYetIsUnavailableAndDeployedOnceItIs() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        client.resource(pool("remote-hosts")).create();
        CepOperator resource = cepOperator("velocity-later", "remote-hosts");
        resource.getSpec().setLanguage("grpc");
        resource.getSpec().setSource("127.0.0.1:" + port);
        resource.getSpec().setOptions(Map.of("function", "velocity"));
        client.resource(resource).create();
        CepOperator waiting = awaitStatus("velocity-later", s -> "OperatorUnavailable".equals(reason(s.getConditions(), "Ready")));
        assertThat(conditionOf(waiting, "Ready").getMessage()).contains("cannot check function 'velocity' with the process at 127.0.0.1:" + port);

        try (PythonOperatorProcess python = PythonOperatorProcess.start("/fraud/python/fraud_rules.py", port)) {
            awaitStatus("velocity-later", s -> Long.valueOf(1).equals(s.getActiveVersion()) && condition(s.getConditions(), "Ready"));
            assertThat(control.describe("velocity-later").getSpec().getLanguage()).isEqualTo("grpc");
            client.resource(resource).delete();
            await(() -> notDeployed("velocity-later"), undeployed -> undeployed);
        }
    }

    @Test
    void thePythonSampleRunsItsRulesInTheProcessItNamesAndAnOptionChangeHandsTheStateOver() throws Exception {
        var serialization = client.getKubernetesSerialization();
        createSamplePool();
        List<CepOperator> rules = Stream.of(Files.readString(Path.of("deploy", "samples", "python-rules.yaml")).split("\n---\n"))
                .filter(document -> document.contains("kind: CepOperator"))
                .map(document -> serialization.unmarshal(document, CepOperator.class))
                .toList();
        assertThat(rules).extracting(rule -> rule.getMetadata().getName()).containsExactly("small-then-large-python", "velocity-python");
        try (PythonOperatorProcess python = PythonOperatorProcess.start("/fraud/python/fraud_rules.py")) {
            for (CepOperator rule : rules) {
                assertThat(rule.getSpec().getSource()).isEqualTo("fraud-rules-python:50071");
                // The sample's Service name resolves only in a cluster; here the process runs on this machine.
                rule.getSpec().setSource(python.target());
                rule.getMetadata().setNamespace(NAMESPACE);
                client.resource(rule).create();
            }
            awaitStatus("small-then-large-python", s -> Long.valueOf(1).equals(s.getActiveVersion()));
            awaitStatus("velocity-python", s -> Long.valueOf(1).equals(s.getActiveVersion()));
            var velocity = control.describe("velocity-python");
            assertThat(velocity.getSpec().getLanguage()).isEqualTo("grpc");
            assertThat(velocity.getSpec().getOptionsMap()).containsEntry("function", "velocity");

            edit("small-then-large-python", spec -> spec.getOptions().put("large", "150.00"));
            awaitStatus("small-then-large-python", s -> Long.valueOf(2).equals(s.getActiveVersion()));
            assertThat(control.describe("small-then-large-python").getShards(0).getLastSwap().getTakenOver().getUnit())
                    .as("the session's state handed over").isEqualTo("bytes of the session's state");

            for (CepOperator rule : rules) {
                client.resources(CepOperator.class).inNamespace(NAMESPACE).withName(rule.getMetadata().getName()).delete();
            }
            await(() -> notDeployed("small-then-large-python") && notDeployed("velocity-python"), undeployed -> undeployed);
        }
    }

    /** The sample pool, which the samples share. */
    static void createSamplePool() throws java.io.IOException {
        if (client.resources(FunctionHost.class).inNamespace(NAMESPACE).withName("vigil-hosts").get() == null) {
            FunctionHost pool = client.getKubernetesSerialization().unmarshal(
                    Files.readString(Path.of("deploy", "samples", "function-host.yaml")), FunctionHost.class);
            pool.getMetadata().setNamespace(NAMESPACE);
            client.resource(pool).create();
        }
    }

    static FunctionHost pool(String name) {
        FunctionHost pool = new FunctionHost();
        pool.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        FunctionHostSpec spec = new FunctionHostSpec();
        spec.setImage("vigil/function-host:0.1.0");
        spec.setPlaintext(true);
        pool.setSpec(spec);
        return pool;
    }

    static CepOperator cepOperator(String name, String pool) {
        CepOperator resource = new CepOperator();
        resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        CepOperatorSpec spec = new CepOperatorSpec();
        spec.setHostPool(pool);
        spec.setLanguage("esper");
        spec.setKeyField("cardId");
        spec.setShards(2);
        spec.setInputSchema(schema("Txn", "txnId:STRING", "cardId:STRING", "merchantId:STRING", "amount:DOUBLE", "lat:DOUBLE",
                "lon:DOUBLE", "ts:TIMESTAMP"));
        spec.setOutputSchema(schema("Alert", "rule:STRING", "cardId:STRING", "txnId:STRING", "amount:DOUBLE", "ts:TIMESTAMP"));
        resource.setSpec(spec);
        return resource;
    }

    static SchemaSpec schema(String name, String... fields) {
        SchemaSpec schema = new SchemaSpec();
        schema.setName(name);
        schema.setFields(Stream.of(fields).map(f -> {
            SchemaSpec.FieldSpec field = new SchemaSpec.FieldSpec();
            field.setName(f.substring(0, f.indexOf(':')));
            field.setType(f.substring(f.indexOf(':') + 1));
            return field;
        }).toList());
        return schema;
    }

    static void edit(String name, java.util.function.Consumer<CepOperatorSpec> change) {
        retryingConflicts(() -> client.resources(CepOperator.class).inNamespace(NAMESPACE).withName(name).edit(resource -> {
            change.accept(resource.getSpec());
            return resource;
        }));
    }

    /** An edit races the operator's status updates, as with kubectl: on a conflict, read again and retry. */
    static void retryingConflicts(Runnable edit) {
        for (int attempt = 1; ; attempt++) {
            try {
                edit.run();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    static CepOperator awaitStatus(String name, Predicate<io.vigil.k8s.customresource.CepOperatorStatus> until) {
        return await(() -> client.resources(CepOperator.class).inNamespace(NAMESPACE).withName(name).get(),
                r -> r != null && r.getStatus() != null && until.test(r.getStatus()));
    }

    static boolean notDeployed(String name) {
        try {
            control.describe(name);
            return false;
        } catch (OperatorRejectedException e) {
            return e.code() == Status.Code.NOT_FOUND;
        }
    }

    static boolean condition(List<Condition> conditions, String type) {
        return conditions.stream().anyMatch(c -> c.getType().equals(type) && c.getStatus().equals("True"));
    }

    static String reason(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.getType().equals(type)).map(Condition::getReason).findFirst().orElse(null);
    }

    static Condition conditionOf(CepOperator resource, String type) {
        return resource.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    static <T> T await(Supplier<T> read, Predicate<T> until) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        T value = read.get();
        while (!until.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; last seen: " + value);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            value = read.get();
        }
        return value;
    }
}
