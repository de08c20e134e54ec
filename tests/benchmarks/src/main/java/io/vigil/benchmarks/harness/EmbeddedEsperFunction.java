package io.vigil.benchmarks.harness;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** Variant (a): the same EPL in an Esper runtime inside the Flink task. The in-process limit. */
final class EmbeddedEsperFunction extends KeyedProcessFunction<String, Payment, PaymentAlert> {
    private transient EmbeddedEsper esper;
    private transient Collector<PaymentAlert> out;

    @Override
    public void open(OpenContext context) throws Exception {
        esper = new EmbeddedEsper("@public @buseventtype create objectarray schema Txn "
                + "(txnId string, cardId string, amount java.lang.Double, ts java.lang.Long, bornNanos java.lang.Long)", "Txn",
                Workload.EPL, e -> out.collect(new PaymentAlert((String) e.get("rule"), (String) e.get("cardId"), (String) e.get("txnId"),
                        (Long) e.get("ts"), (Long) e.get("bornNanos"))));
    }

    @Override
    public void processElement(Payment payment, Context context, Collector<PaymentAlert> collector) {
        out = collector;
        esper.send(payment.getTs(), context.timerService().currentWatermark(),
                new Object[] {payment.getTxnId(), payment.getCardId(), payment.getAmount(), payment.getTs(), payment.getBornNanos()});
    }

    @Override
    public void close() {
        if (esper != null) {
            esper.destroy();
        }
    }
}
