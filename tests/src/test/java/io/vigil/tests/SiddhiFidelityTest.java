package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.runtime.FunctionHost;
import io.vigil.tests.siddhi.SiddhiReference;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SiddhiQL differential test: each app under {@code fidelity-siddhi/} runs once in Siddhi
 * itself, in playback mode on the stream in timestamp order ({@link SiddhiReference}), and once
 * through Vigil on the same stream as {@link EsperFidelityTest} runs it, in the same
 * configurations. Rows and the time each was emitted at must be the same.
 */
class SiddhiFidelityTest {
    static final List<String> MODULES = List.of(
            "filter", "length-per-key", "time-all-events", "time-having-per-key", "time-batch-grouped", "external-time",
            "length-batch", "followed-by-within", "absence", "output-last", "distinct-count", "sequence");
    /** Apps whose every query is partitioned by the card or reads one event at a time: what two shards may run. */
    static final Set<String> KEYED = Set.of("filter", "length-per-key", "time-having-per-key", "followed-by-within");
    static final String RETENTION = "2 min";
    static final long RETENTION_MILLIS = 120_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    static FunctionHost host;
    static ManagedChannel channel;
    static ControlPlaneClient control;
    static List<Transaction> inOrder;
    static Map<String, List<String>> expected = new HashMap<>();

    @BeforeAll
    static void startHostAndRunSiddhi() throws Exception {
        host = TestHosts.start();
        channel = TestHosts.channel(host);
        control = TestHosts.control(channel);
        inOrder = EsperFidelityTest.stream(11);
        List<Object[]> rows = new ArrayList<>();
        for (Transaction t : inOrder) {
            rows.add(new Object[] {t.getTxnId(), t.getCardId(), t.getMerchantId(), t.getAmount(), t.getLat(), t.getLon(), t.getTs()});
        }
        try (URLClassLoader siddhi = siddhiLoader()) {
            Method run = siddhi.loadClass(SiddhiReference.class.getName())
                    .getMethod("run", String.class, String.class, String.class, List.class, long.class);
            for (String module : MODULES) {
                for (int shards : new int[] {1, 2}) {
                    if (shards == 1 || KEYED.contains(module)) {
                        control.deploy(spec(module, shards));
                    }
                }
                @SuppressWarnings("unchecked")
                List<String> reference = (List<String>) run.invoke(null, app(source(module)), "Txn", "Row", rows, RETENTION_MILLIS);
                expected.put(module, reference);
            }
        }
    }

    @AfterAll
    static void stopHost() {
        channel.shutdownNow();
        host.close();
    }

    static Stream<Arguments> configurations() {
        return EsperFidelityTest.configurations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void everyAppEmitsWhatSiddhiEmits(String configuration, int shards, int parallelism, boolean bounded) throws Exception {
        List<Transaction> arrivals = configuration.startsWith("in order") ? inOrder
                : EsperFidelityTest.shuffledWithin(inOrder, EsperFidelityTest.OUT_OF_ORDER, 12);
        List<String> modules = MODULES.stream().filter(m -> shards == 1 || KEYED.contains(m)).toList();
        Map<String, List<String>> actual = EsperFidelityTest.runThroughVigil(host.endpoint(), configuration, arrivals, parallelism,
                bounded, modules, module -> name(module, shards));
        assertThat(EsperFidelityTest.differences(modules, expected, actual))
                .as("apps whose rows or emit times differ from Siddhi's (%s)", configuration).isEmpty();
        for (String module : modules) {
            assertThat(expected.get(module)).as("%s emits something to compare", module).isNotEmpty();
        }
    }

    @Test
    void anAppNotPartitionedByTheKeyIsRefusedOnMoreThanOneShardAtItsQuery() throws Exception {
        for (String module : MODULES) {
            if (KEYED.contains(module)) {
                continue;
            }
            OperatorSpec twoShards = spec(module, 2).toBuilder().setName("unkeyed-siddhi-" + module).build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> control.deploy(twoShards))
                    .as(module)
                    .hasMessageContaining("line 1")
                    .hasMessageContaining("more than one key")
                    .hasMessageContaining("shards: 1");
        }
    }

    /** Siddhi's jars as the host's plugin has them, and this test's classes for the reference itself; nothing of Flink's. */
    static URLClassLoader siddhiLoader() throws IOException {
        Path plugin = Path.of(System.getProperty("vigil.plugins", "plugins")).resolve("siddhi");
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> jars = Files.list(plugin)) {
            for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).sorted(Comparator.naturalOrder()).toList()) {
                urls.add(jar.toUri().toURL());
            }
        }
        urls.add(SiddhiReference.class.getProtectionDomain().getCodeSource().getLocation());
        return new URLClassLoader("siddhi-reference", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    static String app(String source) {
        return "@app:name('reference')\n@app:playback\n"
                + "define stream Txn (txnId string, cardId string, merchantId string, amount double, lat double, lon double, ts long);\n"
                + "define stream Row (label string, k string, v double);\n"
                + source;
    }

    static String name(String module, int shards) {
        return "siddhi-fidelity-" + module + "-" + shards;
    }

    static OperatorSpec spec(String module, int shards) throws IOException {
        return OperatorSpec.newBuilder()
                .setName(name(module, shards))
                .setLanguage("siddhi")
                .setSource(source(module))
                .setInputSchema(SchemaProtos.toProto(FraudRules.TRANSACTION))
                .setOutputSchema(SchemaProtos.toProto(EsperFidelityTest.ROW))
                .setKeyField("cardId")
                .setShards(shards)
                .putOptions("retention", RETENTION)
                .build();
    }

    static String source(String module) throws IOException {
        try (InputStream in = SiddhiFidelityTest.class.getResourceAsStream("/fidelity-siddhi/" + module + ".siddhi")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
