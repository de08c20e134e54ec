package io.vigil.benchmarks.harness;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchCodec;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.DataPlaneGrpc;
import io.vigil.api.proto.EventBatch;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Open;
import io.vigil.batching.Credits;
import io.vigil.batching.Wakeup;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * Variant (e): the function host driven without Flink. Batches are encoded before the clock starts,
 * so the figure is the host's (and gRPC's) alone; latency is each batch's round trip, counted once
 * per event in it.
 */
final class HostLoadClient {
    private final ManagedChannel channel;
    private final int shards;
    private final int batchSize;

    HostLoadClient(ManagedChannel channel, int shards, int batchSize) {
        this.channel = channel;
        this.shards = shards;
        this.batchSize = batchSize;
    }

    Measurement run(long events, double eventsPerSecond) throws InterruptedException {
        List<int[]> order = new ArrayList<>();
        List<EventBatch> batches = encode(events, order);
        long[] sentNanos = new long[batches.size() + 1];
        Recorder latency = new Recorder(3);
        AtomicLong alerts = new AtomicLong();
        Wakeup wakeup = new Wakeup();
        Credits[] credits = new Credits[shards];
        CountDownLatch opened = new CountDownLatch(shards);
        CountDownLatch answered = new CountDownLatch(batches.size());
        List<StreamObserver<ClientFrame>> streams = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            Credits shardCredits = new Credits(wakeup);
            credits[s] = shardCredits;
            StreamObserver<ClientFrame> stream = DataPlaneGrpc.newStub(channel).process(new StreamObserver<>() {
                @Override
                public void onNext(HostFrame frame) {
                    if (frame.hasOpened()) {
                        shardCredits.grant(frame.getOpened().getCredits());
                        opened.countDown();
                    } else if (frame.hasResults()) {
                        long id = frame.getResults().getBatchId();
                        int rows = batches.get((int) id - 1).getRowCount();
                        latency.recordValueWithCount(Math.max(0, (System.nanoTime() - sentNanos[(int) id]) / 1000), rows);
                        alerts.addAndGet(frame.getResults().getRowCount());
                        shardCredits.grant(1);
                        answered.countDown();
                    } else {
                        throw new IllegalStateException("host answered " + frame);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    throw new IllegalStateException("load stream failed", t);
                }

                @Override
                public void onCompleted() {
                }
            });
            stream.onNext(ClientFrame.newBuilder().setOpen(Open.newBuilder()
                    .setOperator(Workload.OPERATOR).setShard(s).setClient("load-client")
                    .setInputSchema(SchemaProtos.toProto(Workload.PAYMENT))).build());
            streams.add(stream);
        }
        if (!opened.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("streams did not open");
        }
        long start = System.nanoTime();
        long sentEvents = 0;
        for (int i = 0; i < batches.size(); i++) {
            int shard = order.get(i)[0];
            EventBatch batch = batches.get(i);
            if (eventsPerSecond > 0) {
                long due = start + (long) (sentEvents * 1e9 / eventsPerSecond);
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
            }
            while (!credits[shard].tryAcquire()) {
                wakeup.await(1, TimeUnit.MILLISECONDS);
            }
            sentNanos[(int) batch.getId()] = System.nanoTime();
            streams.get(shard).onNext(ClientFrame.newBuilder().setBatch(batch).build());
            sentEvents += batch.getRowCount();
        }
        if (!answered.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("host did not answer every batch");
        }
        long nanos = System.nanoTime() - start;
        streams.forEach(StreamObserver::onCompleted);
        return Measurement.of(events, nanos, alerts.get(), latency.getIntervalHistogram());
    }

    /** All events as batches of {@code batchSize} rows per shard, in the order a connector would send them. */
    private List<EventBatch> encode(long events, List<int[]> order) {
        ColumnarBatch[] open = new ColumnarBatch[shards];
        for (int s = 0; s < shards; s++) {
            open[s] = new ColumnarBatch(Workload.PAYMENT, batchSize);
        }
        List<EventBatch> batches = new ArrayList<>();
        TransactionGenerator generator = new TransactionGenerator(Workload.SEED, events, Workload.FRAUD_RATE, e -> { });
        long sequence = 0;
        while (generator.hasNext()) {
            Transaction t = generator.next();
            int shard = KeyGroups.shardOf(KeyGroups.of(t.getCardId()), shards);
            ColumnarBatch batch = open[shard];
            int row = batch.addRow(t.getTs(), ++sequence);
            batch.setString(0, row, t.getTxnId());
            batch.setString(1, row, t.getCardId());
            batch.setDouble(2, row, t.getAmount());
            batch.setLong(3, row, t.getTs());
            batch.setLong(4, row, 0);
            if (batch.rowCount() == batchSize) {
                batches.add(BatchCodec.encodeEvents(batch, batches.size() + 1, true, t.getTs() - 1));
                order.add(new int[] {shard});
                batch.clear();
            }
        }
        for (int s = 0; s < shards; s++) {
            if (!open[s].isEmpty()) {
                batches.add(BatchCodec.encodeEvents(open[s], batches.size() + 1, false, 0));
                order.add(new int[] {s});
            }
        }
        return batches;
    }
}
