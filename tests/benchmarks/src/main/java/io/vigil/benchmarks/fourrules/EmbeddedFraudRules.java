package io.vigil.benchmarks.fourrules;

import io.vigil.benchmarks.harness.EmbeddedEsper;
import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** Variant (a) of the four-rule workload: the demo's EPL text, unchanged, in an Esper runtime inside the Flink task. */
final class EmbeddedFraudRules extends KeyedProcessFunction<String, Transaction, Alert> {
    private transient EmbeddedEsper esper;
    private transient Collector<Alert> out;

    @Override
    public void open(OpenContext context) throws Exception {
        esper = new EmbeddedEsper("@public @buseventtype create objectarray schema Txn (txnId string, cardId string,"
                + " merchantId string, amount double, lat double, lon double, ts long)", "Txn", FraudRules.epl(),
                e -> out.collect(new Alert((String) e.get("rule"), (String) e.get("cardId"), (String) e.get("txnId"),
                        ((Number) e.get("amount")).doubleValue(), ((Number) e.get("ts")).longValue())));
    }

    @Override
    public void processElement(Transaction txn, Context context, Collector<Alert> collector) {
        out = collector;
        esper.send(txn.getTs(), context.timerService().currentWatermark(), new Object[] {txn.getTxnId(), txn.getCardId(),
                txn.getMerchantId(), txn.getAmount(), txn.getLat(), txn.getLon(), txn.getTs()});
    }

    @Override
    public void close() {
        if (esper != null) {
            esper.destroy();
        }
    }
}
