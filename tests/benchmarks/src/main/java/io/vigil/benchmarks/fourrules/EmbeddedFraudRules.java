package io.vigil.benchmarks.fourrules;

import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Variant (a) of the four-rule workload: the demo's EPL text, unchanged, in an Esper runtime inside
 * the Flink task (one per subtask), its clock moved by the task's watermark.
 */
final class EmbeddedFraudRules extends KeyedProcessFunction<String, Transaction, Alert> {
    private transient EPRuntime runtime;
    private transient EventSender sender;
    private transient Collector<Alert> out;
    private transient long clock;

    @Override
    public void open(OpenContext context) throws Exception {
        Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        configuration.getRuntime().getExecution().setDisableLocking(true);
        var compiler = EPCompilerProvider.getCompiler();
        var schema = compiler.compile("@public @buseventtype create objectarray schema Txn (txnId string, cardId string,"
                + " merchantId string, amount double, lat double, lon double, ts long)", new CompilerArguments(configuration));
        CompilerArguments arguments = new CompilerArguments(configuration);
        arguments.getPath().add(schema);
        var rules = compiler.compile(FraudRules.epl(), arguments);
        runtime = EPRuntimeProvider.getRuntime("embedded-fraud-" + UUID.randomUUID(), configuration);
        runtime.getDeploymentService().deploy(schema);
        for (EPStatement statement : runtime.getDeploymentService().deploy(rules).getStatements()) {
            statement.addListener((newEvents, oldEvents, s, r) -> {
                if (newEvents == null) {
                    return;
                }
                for (EventBean e : newEvents) {
                    out.collect(new Alert((String) e.get("rule"), (String) e.get("cardId"), (String) e.get("txnId"),
                            ((Number) e.get("amount")).doubleValue(), ((Number) e.get("ts")).longValue()));
                }
            });
        }
        sender = runtime.getEventService().getEventSender("Txn");
        clock = Long.MIN_VALUE;
    }

    @Override
    public void processElement(Transaction txn, Context context, Collector<Alert> collector) {
        out = collector;
        long watermark = context.timerService().currentWatermark();
        if (clock == Long.MIN_VALUE) {
            clock = txn.getTs();
            runtime.getEventService().advanceTime(clock);
        } else if (watermark > clock) {
            clock = watermark;
            runtime.getEventService().advanceTime(clock);
        }
        sender.sendEvent(new Object[] {txn.getTxnId(), txn.getCardId(), txn.getMerchantId(), txn.getAmount(), txn.getLat(),
                txn.getLon(), txn.getTs()});
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.destroy();
        }
    }
}
