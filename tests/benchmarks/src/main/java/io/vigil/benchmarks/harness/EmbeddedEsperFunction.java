package io.vigil.benchmarks.harness;

import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Variant (a): the same EPL in an Esper runtime inside the Flink task, one runtime per subtask,
 * driven by the task's watermark exactly as a Vigil shard drives its clock. The in-process limit.
 */
final class EmbeddedEsperFunction extends KeyedProcessFunction<String, Payment, PaymentAlert> {
    private transient EPRuntime runtime;
    private transient EventSender sender;
    private transient Collector<PaymentAlert> out;
    private transient long clock;

    @Override
    public void open(OpenContext context) throws Exception {
        Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        configuration.getRuntime().getExecution().setDisableLocking(true);
        var compiler = EPCompilerProvider.getCompiler();
        var schema = compiler.compile("@public @buseventtype create objectarray schema Txn "
                + "(txnId string, cardId string, amount java.lang.Double, ts java.lang.Long, bornNanos java.lang.Long)",
                new CompilerArguments(configuration));
        CompilerArguments arguments = new CompilerArguments(configuration);
        arguments.getPath().add(schema);
        var rules = compiler.compile(Workload.EPL, arguments);
        runtime = EPRuntimeProvider.getRuntime("embedded-" + UUID.randomUUID(), configuration);
        runtime.getDeploymentService().deploy(schema);
        EPDeployment deployment = runtime.getDeploymentService().deploy(rules);
        for (EPStatement statement : deployment.getStatements()) {
            statement.addListener((newEvents, oldEvents, s, r) -> {
                for (EventBean e : newEvents) {
                    out.collect(new PaymentAlert((String) e.get("rule"), (String) e.get("cardId"), (String) e.get("txnId"),
                            (Long) e.get("ts"), (Long) e.get("bornNanos")));
                }
            });
        }
        sender = runtime.getEventService().getEventSender("Txn");
        clock = Long.MIN_VALUE;
    }

    @Override
    public void processElement(Payment payment, Context context, Collector<PaymentAlert> collector) {
        out = collector;
        long watermark = context.timerService().currentWatermark();
        if (clock == Long.MIN_VALUE) {
            clock = payment.getTs();
            runtime.getEventService().advanceTime(clock);
        } else if (watermark > clock) {
            clock = watermark;
            runtime.getEventService().advanceTime(clock);
        }
        sender.sendEvent(new Object[] {payment.getTxnId(), payment.getCardId(), payment.getAmount(), payment.getTs(),
                payment.getBornNanos()});
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.destroy();
        }
    }
}
