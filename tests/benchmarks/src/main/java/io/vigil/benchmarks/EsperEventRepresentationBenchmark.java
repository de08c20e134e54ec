package io.vigil.benchmarks;

import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Which Esper event representation the adapter should turn Vigil rows into: the four fraud rules
 * fed the same seeded transactions as object arrays or as maps. Each operation is one event,
 * including building the event object, as the adapter must for every row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class EsperEventRepresentationBenchmark {
    private static final int EVENTS = 100_000;

    /** Transactions already in the rules' windows before measuring: the state a long run builds up. */
    @Param({"0", "900000"})
    public int history;

    @Param({"objectarray", "map"})
    public String representation;

    private Transaction[] transactions;
    private String[] names;
    private EPRuntime runtime;
    private EventSender sender;

    @Setup(Level.Iteration)
    public void setUp() throws Exception {
        transactions = new Transaction[EVENTS];
        TransactionGenerator generator = new TransactionGenerator(42, history + EVENTS, 0.003, e -> { });
        Transaction[] warmState = new Transaction[history];
        for (int i = 0; i < history; i++) {
            warmState[i] = generator.next();
        }
        for (int i = 0; i < EVENTS; i++) {
            transactions[i] = generator.next();
        }
        names = FraudRules.TRANSACTION.fields().stream().map(f -> f.name()).toArray(String[]::new);
        Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        configuration.getRuntime().getExecution().setDisableLocking(true);
        String schema = "@public @buseventtype create " + representation + " schema Txn (txnId string, cardId string, "
                + "merchantId string, amount double, lat double, lon double, ts long)";
        var compiler = EPCompilerProvider.getCompiler();
        var schemaModule = compiler.compile(schema, new CompilerArguments(configuration));
        CompilerArguments arguments = new CompilerArguments(configuration);
        arguments.getPath().add(schemaModule);
        var rules = compiler.compile(FraudRules.epl(), arguments);
        runtime = EPRuntimeProvider.getRuntime("bench-" + UUID.randomUUID(), configuration);
        runtime.getEventService().advanceTime(TransactionGenerator.START_MILLIS);
        runtime.getDeploymentService().deploy(schemaModule);
        EPDeployment deployment = runtime.getDeploymentService().deploy(rules);
        for (EPStatement statement : deployment.getStatements()) {
            statement.addListener((newEvents, oldEvents, s, r) -> { });
        }
        sender = runtime.getEventService().getEventSender("Txn");
        Transaction[] measured = transactions;
        transactions = warmState;
        fraudRules(new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous."));
        transactions = measured;
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        runtime.destroy();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void fraudRules(Blackhole blackhole) {
        boolean objectArray = representation.equals("objectarray");
        for (Transaction t : transactions) {
            if (objectArray) {
                sender.sendEvent(new Object[] {t.getTxnId(), t.getCardId(), t.getMerchantId(), t.getAmount(), t.getLat(), t.getLon(), t.getTs()});
            } else {
                Map<String, Object> event = new HashMap<>(16);
                event.put(names[0], t.getTxnId());
                event.put(names[1], t.getCardId());
                event.put(names[2], t.getMerchantId());
                event.put(names[3], t.getAmount());
                event.put(names[4], t.getLat());
                event.put(names[5], t.getLon());
                event.put(names[6], t.getTs());
                sender.sendEvent(event);
            }
        }
        blackhole.consume(sender);
    }
}
