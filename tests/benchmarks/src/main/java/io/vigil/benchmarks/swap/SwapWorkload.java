package io.vigil.benchmarks.swap;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.WireBuffer;
import io.vigil.benchmarks.harness.Workload;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import java.util.ArrayList;
import java.util.List;

/**
 * What every swap strategy runs: the harness's payments, re-timed so event time passes at the
 * wall-clock pace of the run (at 100K events/s, a second of state is 100K events), and an
 * operator whose versions differ only in the threshold of its pattern (100 + version: ordinary
 * payments stay below it, the injected large ones far above) — on these payments they raise the
 * same alerts, so any alert missing after a swap is state the swap lost.
 *
 * <p>Each version also reports every event it processes ({@code SEEN}, with the event's index),
 * which is how events lost and processed twice are counted.
 */
final class SwapWorkload {
    static final String NAME = "swapped";

    final int events;
    final int shards;
    final int horizonSeconds;
    final long[] timestamps;
    final Object[][] rows;
    /** Per shard, the events' indexes in batches, and the batches encoded for the wire. */
    final List<byte[]> frames = new ArrayList<>();
    final List<int[]> frameEvents = new ArrayList<>();
    final List<Integer> frameShard = new ArrayList<>();
    /** An empty batch whose watermark is the end of input: the host releases what it holds, as at the end of a Flink job. */
    final byte[] endOfInput = endOfInput();

    SwapWorkload(int events, double eventsPerSecond, int shards, int batchSize, int horizonSeconds) {
        this.events = events;
        this.shards = shards;
        this.horizonSeconds = horizonSeconds;
        this.timestamps = new long[events];
        this.rows = new Object[events][];
        TransactionGenerator generator = new TransactionGenerator(Workload.SEED, events, Workload.FRAUD_RATE, e -> { });
        long start = 1_700_000_000_000L;
        for (int i = 0; i < events; i++) {
            Transaction t = generator.next();
            timestamps[i] = start + (long) (i * 1000.0 / eventsPerSecond);
            rows[i] = new Object[] {t.getTxnId(), t.getCardId(), t.getAmount(), timestamps[i], (long) i};
        }
        encode(batchSize);
    }

    static String epl(int version, int horizonSeconds) {
        // Every version's source differs, so nothing compiled before can be reused.
        String threshold = String.valueOf(100 + version);
        return "@name('SEEN') select 'SEEN' as rule, cardId, txnId, ts, bornNanos from Txn;\n"
                + "@name('SMALL_THEN_LARGE') select 'SMALL_THEN_LARGE' as rule, b.cardId as cardId, b.txnId as txnId, b.ts as ts,"
                + " b.bornNanos as bornNanos\n"
                + "from pattern [every a=Txn(amount < 2.00) -> b=Txn(cardId = a.cardId, amount >= " + threshold
                + ") where timer:within(" + horizonSeconds + " sec)];\n";
    }

    OperatorSpec spec(String name, int version) {
        return OperatorSpec.newBuilder()
                .setName(name)
                .setLanguage("esper")
                .setSource(epl(version, horizonSeconds))
                .setInputSchema(SchemaProtos.toProto(Workload.PAYMENT))
                .setOutputSchema(SchemaProtos.toProto(Workload.ALERT))
                .setKeyField("cardId")
                .setShards(shards)
                .build();
    }

    private void encode(int batchSize) {
        WireBuffer wire = new WireBuffer(64 << 10);
        List<ColumnarBatch> open = new ArrayList<>();
        List<List<Integer>> indexes = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            open.add(new ColumnarBatch(Workload.PAYMENT, batchSize));
            indexes.add(new ArrayList<>());
        }
        for (int i = 0; i < events; i++) {
            int shard = KeyGroups.shardOf(KeyGroups.of((String) rows[i][1]), shards);
            ColumnarBatch batch = open.get(shard);
            int row = batch.addRow(timestamps[i], i + 1L);
            batch.setString(0, row, (String) rows[i][0]);
            batch.setString(1, row, (String) rows[i][1]);
            batch.setDouble(2, row, (Double) rows[i][2]);
            batch.setLong(3, row, timestamps[i]);
            batch.setLong(4, row, i);
            indexes.get(shard).add(i);
            if (batch.rowCount() == batchSize || i == events - 1) {
                for (int s = 0; s < shards; s++) {
                    ColumnarBatch full = open.get(s);
                    if (full.rowCount() == batchSize || (i == events - 1 && !full.isEmpty())) {
                        BatchEncoder.events(full, frames.size() + 1, true, timestamps[i] - 1, wire);
                        frames.add(wire.toByteArray());
                        frameEvents.add(indexes.get(s).stream().mapToInt(Integer::intValue).toArray());
                        frameShard.add(s);
                        full.clear();
                        indexes.get(s).clear();
                    }
                }
            }
        }
    }

    private static byte[] endOfInput() {
        WireBuffer wire = new WireBuffer(64);
        BatchEncoder.events(new ColumnarBatch(Workload.PAYMENT, 1), Long.MAX_VALUE, true, Long.MAX_VALUE, wire);
        return wire.toByteArray();
    }
}
