package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.util.StatementProperty;
import com.espertech.esper.common.client.util.StatementType;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import io.grpc.ManagedChannel;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.flink.VigilFunction;
import io.vigil.runtime.FunctionHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The differential test: each EPL module under {@code fidelity/} runs once in an embedded Esper
 * runtime whose clock the test steps to each event's timestamp before sending it (and on by the
 * module's state horizon at the end), and once through Vigil — connector, MiniCluster, a real
 * host — with the same stream. Every row and the time it was emitted at must be the same: with
 * the stream in order and with it shuffled within the watermark bound, with Flink's monotonous
 * and bounded-out-of-orderness watermarks, and, for the modules whose statements are partitioned
 * by the key, with two shards fed by two subtasks.
 */
class EsperFidelityTest {
    static final List<String> MODULES = List.of(
            "filter", "length-per-key", "time-count", "time-having", "time-batch", "time-batch-grouped", "ext-timed",
            "unique", "output-last", "output-all", "output-snapshot", "output-first", "pattern-followed-by",
            "pattern-absence", "pattern-repeat", "match-recognize", "named-window-subquery", "table-merge", "join",
            "insert-into-chain", "context-per-key", "distinct-batch", "prev-per-key", "max-batch");
    /** Modules whose every statement is partitioned by the card: what two shards may run. */
    static final Set<String> KEYED = Set.of(
            "filter", "length-per-key", "time-having", "pattern-followed-by", "pattern-absence",
            "match-recognize", "named-window-subquery", "table-merge", "join", "insert-into-chain", "context-per-key",
            "prev-per-key");
    /** Modules that keep state with no event-time bound, which the host rebuilds from this much input. */
    static final Set<String> RETAINED = Set.of("length-per-key", "unique", "output-first", "match-recognize", "table-merge",
            "prev-per-key");

    static final int EVENTS = 4_000;
    static final long START = 1_700_000_000_000L;
    static final Duration OUT_OF_ORDER = Duration.ofSeconds(5);

    static final EventSchema ROW = EventSchema.builder("Row")
            .field("label", FieldKind.STRING)
            .field("k", FieldKind.STRING)
            .nullableField("v", FieldKind.DOUBLE)
            .build();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    static FunctionHost host;
    static ManagedChannel channel;
    static ControlPlaneClient control;
    static List<Transaction> inOrder;
    static Map<String, List<String>> expected = new HashMap<>();

    @BeforeAll
    static void startHostAndRunEsper() throws Exception {
        host = TestHosts.start();
        channel = TestHosts.channel(host);
        control = TestHosts.control(channel);
        inOrder = stream(11);
        for (String module : MODULES) {
            for (int shards : new int[] {1, 2}) {
                if (shards == 1 || KEYED.contains(module)) {
                    control.deploy(spec(module, shards));
                }
            }
            long horizon = control.describe(name(module, 1)).getStateHorizonMillis();
            expected.put(module, esper(epl(module), inOrder, horizon));
        }
    }

    @AfterAll
    static void stopHost() {
        channel.shutdownNow();
        host.close();
    }

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of("in order, monotonous watermarks", 1, 1, false),
                Arguments.of("in order, bounded out-of-orderness", 1, 1, true),
                Arguments.of("shuffled within the bound, bounded out-of-orderness", 1, 1, true),
                Arguments.of("keyed modules on 2 shards from 2 subtasks, shuffled", 2, 2, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void everyModuleEmitsWhatEsperEmits(String configuration, int shards, int parallelism, boolean bounded) throws Exception {
        List<Transaction> arrivals = configuration.startsWith("in order") ? inOrder : shuffledWithin(inOrder, OUT_OF_ORDER, 12);
        List<String> modules = MODULES.stream().filter(m -> shards == 1 || KEYED.contains(m)).toList();

        Map<String, List<String>> actual = runThroughVigil(host.endpoint(), configuration, arrivals, parallelism, bounded, modules,
                module -> name(module, shards));
        assertThat(differences(modules, expected, actual)).as("modules whose rows or emit times differ from Esper's (%s)", configuration)
                .isEmpty();
        assertThat(expected.values().stream().mapToInt(List::size).sum()).as("the modules emit something to compare").isGreaterThan(1000);
    }

    @org.junit.jupiter.api.Test
    void aModuleNotPartitionedByTheKeyIsRefusedOnMoreThanOneShardAtItsStatement() throws Exception {
        for (String module : MODULES) {
            if (KEYED.contains(module)) {
                continue;
            }
            String epl = epl(module);
            int line = 1 + (int) epl.substring(0, epl.indexOf("@name('out')")).chars().filter(c -> c == '\n').count();
            OperatorSpec twoShards = spec(module, 2).toBuilder().setName("unkeyed-" + module).build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> control.deploy(twoShards))
                    .as(module)
                    .hasMessageContaining("line " + line)
                    .hasMessageContaining("more than one key")
                    .hasMessageContaining("shards: 1");
        }
    }

    // ---- the reference: Esper itself, clock stepped per event ----

    static List<String> esper(String epl, List<Transaction> events, long horizonMillis) throws Exception {
        Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        String schema = "@public @buseventtype create objectarray schema Txn (`txnId` string, `cardId` string, `merchantId` string, "
                + "`amount` java.lang.Double, `lat` java.lang.Double, `lon` java.lang.Double, `ts` java.lang.Long)";
        var compiler = EPCompilerProvider.getCompiler();
        EPCompiled schemaModule = compiler.compile(schema, new CompilerArguments(configuration));
        CompilerArguments arguments = new CompilerArguments(configuration);
        arguments.getPath().add(schemaModule);
        EPCompiled module = compiler.compile(epl, arguments);
        EPRuntime runtime = EPRuntimeProvider.getRuntime("fidelity-reference-" + System.nanoTime(), configuration);
        List<String> rows = new ArrayList<>();
        try {
            runtime.getDeploymentService().deploy(schemaModule);
            EPDeployment deployment = runtime.getDeploymentService().deploy(module);
            EPEventService service = runtime.getEventService();
            for (EPStatement statement : deployment.getStatements()) {
                if (statement.getProperty(StatementProperty.STATEMENTTYPE) == StatementType.SELECT && statement.getName().equals("out")) {
                    statement.addListener((newEvents, oldEvents, s, r) -> {
                        if (newEvents != null) {
                            for (var event : newEvents) {
                                rows.add(row((String) event.get("label"), (String) event.get("k"), (Double) event.get("v"),
                                        service.getCurrentTime()));
                            }
                        }
                    });
                }
            }
            var sender = service.getEventSender("Txn");
            boolean first = true;
            long last = 0;
            for (Transaction t : events) {
                if (first) {
                    service.advanceTime(t.getTs());
                    first = false;
                } else if (t.getTs() > last) {
                    service.advanceTimeSpan(t.getTs());
                }
                last = Math.max(last, t.getTs());
                sender.sendEvent(new Object[] {t.getTxnId(), t.getCardId(), t.getMerchantId(), t.getAmount(), t.getLat(), t.getLon(), t.getTs()});
            }
            service.advanceTimeSpan(last + horizonMillis);
        } finally {
            runtime.destroy();
        }
        return rows;
    }

    // ---- Vigil: the same stream through the connector, a MiniCluster and the host ----

    /**
     * Runs {@code arrivals} through one Vigil operator per module in one Flink job and returns each
     * module's rows as {@code label|k|v|time}, the label naming the module.
     */
    static Map<String, List<String>> runThroughVigil(String endpoint, String configuration, List<Transaction> arrivals, int parallelism, boolean bounded,
                                                      List<String> modules, Function<String, String> operatorOf) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        WatermarkStrategy<Transaction> watermarks = bounded
                ? WatermarkStrategy.<Transaction>forBoundedOutOfOrderness(OUT_OF_ORDER)
                : WatermarkStrategy.<Transaction>forMonotonousTimestamps();
        DataStream<Transaction> transactions = env.fromData(arrivals, TypeInformation.of(Transaction.class)).setParallelism(1)
                .assignTimestampsAndWatermarks(watermarks.withTimestampAssigner((t, previous) -> t.getTs())).setParallelism(1);
        CollectingSink<String> sink = new CollectingSink<>();
        DataStream<String> all = null;
        for (String module : modules) {
            DataStream<String> rows = VigilFunction.<Transaction, Row>builder()
                    .setEndpoint(endpoint)
                    .setOperator(operatorOf.apply(module))
                    .setInputType(Transaction.class)
                    .setOutputType(Row.class)
                    .setKeyField("cardId")
                    .setMaxBatchSize(64)
                    .setLinger(Duration.ofMillis(1))
                    .build()
                    .applyTo(transactions)
                    .process(new Stamped()).returns(String.class);
            all = all == null ? rows : all.union(rows);
        }
        all.sinkTo(sink).setParallelism(1);
        env.execute("fidelity: " + configuration);
        Map<String, List<String>> actual = new HashMap<>();
        sink.results().forEach(row -> actual.computeIfAbsent(row.substring(0, row.indexOf('|')), m -> new ArrayList<>()).add(row));
        sink.release();
        return actual;
    }

    /** One line per module whose rows differ, naming the first difference. */
    static List<String> differences(List<String> modules, Map<String, List<String>> expected, Map<String, List<String>> actual) {
        List<String> differing = new ArrayList<>();
        for (String module : modules) {
            List<String> want = sorted(expected.get(module));
            List<String> got = sorted(actual.getOrDefault(module, List.of()));
            if (!want.equals(got)) {
                differing.add(module + ": the engine " + want.size() + " rows, Vigil " + got.size() + "; first difference "
                        + firstDifference(want, got));
            }
        }
        return differing;
    }

    // ---- the stream ----

    /** Seeded transactions on 25 cards, 1 to 1,500 ms apart, no two at the same millisecond. */
    static List<Transaction> stream(long seed) {
        Random random = new Random(seed);
        List<Transaction> events = new ArrayList<>();
        long ts = START;
        for (int i = 0; i < EVENTS; i++) {
            ts += 1 + random.nextInt(1_500);
            double amount = Math.round(random.nextDouble() * 50_000) / 100.0;
            events.add(new Transaction("t" + i, "card-" + random.nextInt(25), "m" + random.nextInt(8), amount, 0, 0, ts));
        }
        return events;
    }

    /** The same events in an arrival order that lags each one by up to just under {@code bound}. */
    static List<Transaction> shuffledWithin(List<Transaction> events, Duration bound, long seed) {
        Random random = new Random(seed);
        Map<Transaction, Long> arrival = new HashMap<>();
        for (Transaction t : events) {
            arrival.put(t, t.getTs() + random.nextInt((int) bound.toMillis() - 1));
        }
        List<Transaction> shuffled = new ArrayList<>(events);
        shuffled.sort(Comparator.comparingLong(arrival::get));
        return shuffled;
    }

    // ---- operators and rows ----

    static String name(String module, int shards) {
        return "fidelity-" + module + "-" + shards;
    }

    static OperatorSpec spec(String module, int shards) throws IOException {
        OperatorSpec.Builder spec = OperatorSpec.newBuilder()
                .setName(name(module, shards))
                .setLanguage("esper")
                .setSource(epl(module))
                .setInputSchema(SchemaProtos.toProto(FraudRules.TRANSACTION))
                .setOutputSchema(SchemaProtos.toProto(ROW))
                .setKeyField("cardId")
                .setShards(shards);
        if (RETAINED.contains(module)) {
            spec.putOptions("retention", "1 hour");
        }
        return spec.build();
    }

    static String epl(String module) throws IOException {
        try (InputStream in = EsperFidelityTest.class.getResourceAsStream("/fidelity/" + module + ".epl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String row(String label, String k, Double v, long time) {
        return label + "|" + k + "|" + v + "|" + time;
    }

    static List<String> sorted(List<String> rows) {
        List<String> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong((String r) -> Long.parseLong(r.substring(r.lastIndexOf('|') + 1)))
                .thenComparing(Comparator.naturalOrder()));
        return sorted;
    }

    static String firstDifference(List<String> want, List<String> got) {
        for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
            String w = i < want.size() ? want.get(i) : "(none)";
            String g = i < got.size() ? got.get(i) : "(none)";
            if (!w.equals(g)) {
                return "at row " + i + ": the engine " + w + ", Vigil " + g;
            }
        }
        return "none";
    }

    /** A result as a line with the event time Flink carries it at. */
    static final class Stamped extends ProcessFunction<Row, String> {
        @Override
        public void processElement(Row row, Context context, Collector<String> out) {
            out.collect(row(row.getLabel(), row.getK(), row.getV(), context.timestamp()));
        }
    }

    /** The modules' one output type. */
    public static class Row {
        private String label;
        private String k;
        private Double v;

        public String getLabel() {
            return label;
        }

        public void setLabel(String label) {
            this.label = label;
        }

        public String getK() {
            return k;
        }

        public void setK(String k) {
            this.k = k;
        }

        public Double getV() {
            return v;
        }

        public void setV(Double v) {
            this.v = v;
        }
    }
}
