package io.vigil.benchmarks.harness;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.vigil.api.client.ShardStream;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import io.vigil.batching.Wakeup;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.HdrHistogram.Recorder;

/**
 * Variant (e): the function host driven without Flink. Batches are encoded before the clock starts,
 * so the figure is the host's (and gRPC's) alone; latency is each batch's round trip, counted once
 * per event in it.
 */
final class HostLoadClient {
    private final IntFunction<ManagedChannel> channelOf;
    private final int shards;
    private final int batchSize;

    HostLoadClient(ManagedChannel channel, int shards, int batchSize) {
        this(shard -> channel, shards, batchSize);
    }

    /** @param channelOf per shard, the channel to the host serving it */
    HostLoadClient(IntFunction<ManagedChannel> channelOf, int shards, int batchSize) {
        this.channelOf = channelOf;
        this.shards = shards;
        this.batchSize = batchSize;
    }

    Measurement run(long events, double eventsPerSecond) throws InterruptedException {
        return run(events, eventsPerSecond, null, null);
    }

    /**
     * Sends the events, then, with {@code checkpoint}, a barrier on every stream of job
     * {@code job}: each shard's state handle goes to {@code checkpoint[shard]} once acknowledged.
     */
    Measurement run(long events, double eventsPerSecond, String job, ByteString[] checkpoint) throws InterruptedException {
        List<int[]> order = new ArrayList<>();
        List<int[]> sizes = new ArrayList<>();
        List<byte[]> batches = encode(events, order, sizes);
        long[] sentNanos = new long[batches.size() + 1];
        Recorder latency = new Recorder(3);
        AtomicLong alerts = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Wakeup wakeup = new Wakeup();
        CountDownLatch answered = new CountDownLatch(batches.size());
        CountDownLatch acknowledged = new CountDownLatch(checkpoint == null ? 0 : shards);
        List<ShardStream> streams = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            ColumnarBatch results = new ColumnarBatch(Workload.ALERT, 16);
            BatchDecoder decoder = new BatchDecoder();
            io.vigil.api.proto.Open open = Workload.open(Workload.OPERATOR, s, "load-client");
            if (job != null) {
                open = open.toBuilder().setJob(job).setFeed(job).build();
            }
            int shard = s;
            streams.add(ShardStream.open(channelOf.apply(s), open, new ShardStream.Listener() {
                @Override
                public void onResults(Frame frame) throws BatchFormatException {
                    results.clear();
                    decoder.results(frame.bytes(), frame.length(), results);
                    int id = (int) decoder.id();
                    latency.recordValueWithCount(Math.max(0, (System.nanoTime() - sentNanos[id]) / 1000), sizes.get(id - 1)[0]);
                    alerts.addAndGet(results.rowCount());
                    answered.countDown();
                }

                @Override
                public void onBarrierAck(long checkpointId, ByteString handle) {
                    checkpoint[shard] = handle;
                    acknowledged.countDown();
                }

                @Override
                public void onClosed(Status status) {
                    if (!status.isOk()) {
                        failure.compareAndSet(null, status.asRuntimeException());
                    }
                }
            }, wakeup::signal));
        }
        for (ShardStream stream : streams) {
            try {
                stream.opened().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("streams did not open", e);
            }
        }
        long start = System.nanoTime();
        if (eventsPerSecond > 0) {
            sendPaced(batches, order, sizes, streams, sentNanos, eventsPerSecond, start, failure, wakeup);
        } else {
            sendAsCreditsAllow(batches, order, streams, sentNanos, failure, wakeup);
        }
        if (!answered.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("host did not answer every batch");
        }
        long nanos = System.nanoTime() - start;
        if (checkpoint != null) {
            streams.forEach(stream -> stream.barrier(1));
            if (!acknowledged.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the shards did not acknowledge the checkpoint");
            }
        }
        streams.forEach(ShardStream::complete);
        return Measurement.of(events, nanos, alerts.get(), latency.getIntervalHistogram());
    }

    /** In the order they were made, each when the rate makes it due: a shard without credit holds up the rest. */
    private static void sendPaced(List<byte[]> batches, List<int[]> order, List<int[]> sizes, List<ShardStream> streams,
                                  long[] sentNanos, double eventsPerSecond, long start, AtomicReference<Throwable> failure,
                                  Wakeup wakeup) throws InterruptedException {
        long sentEvents = 0;
        for (int i = 0; i < batches.size(); i++) {
            int shard = order.get(i)[0];
            long due = start + (long) (sentEvents * 1e9 / eventsPerSecond);
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            while (!streams.get(shard).tryAcquireCredit()) {
                if (failure.get() != null) {
                    throw new IllegalStateException("load stream failed", failure.get());
                }
                wakeup.await(1, TimeUnit.MILLISECONDS);
            }
            sentNanos[i + 1] = System.nanoTime();
            streams.get(shard).send(Frame.of(batches.get(i)));
            sentEvents += sizes.get(i)[0];
        }
    }

    /**
     * Unthrottled: each shard's batches in their order, as fast as that shard's credits allow, so a
     * slow shard (or host) holds up only itself, as separate senders would.
     */
    private static void sendAsCreditsAllow(List<byte[]> batches, List<int[]> order, List<ShardStream> streams, long[] sentNanos,
                                           AtomicReference<Throwable> failure, Wakeup wakeup) throws InterruptedException {
        int shards = streams.size();
        List<List<Integer>> perShard = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            perShard.add(new ArrayList<>());
        }
        for (int i = 0; i < batches.size(); i++) {
            perShard.get(order.get(i)[0]).add(i);
        }
        int[] next = new int[shards];
        int left = batches.size();
        while (left > 0) {
            boolean sent = false;
            for (int s = 0; s < shards; s++) {
                while (next[s] < perShard.get(s).size() && streams.get(s).tryAcquireCredit()) {
                    int i = perShard.get(s).get(next[s]++);
                    sentNanos[i + 1] = System.nanoTime();
                    streams.get(s).send(Frame.of(batches.get(i)));
                    left--;
                    sent = true;
                }
            }
            if (!sent) {
                if (failure.get() != null) {
                    throw new IllegalStateException("load stream failed", failure.get());
                }
                wakeup.await(1, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** All events as batches of {@code batchSize} rows per shard, in the order a connector would send them. */
    private List<byte[]> encode(long events, List<int[]> order, List<int[]> sizes) {
        WireBuffer wire = new WireBuffer(64 << 10);
        ColumnarBatch[] open = new ColumnarBatch[shards];
        for (int s = 0; s < shards; s++) {
            open[s] = new ColumnarBatch(Workload.PAYMENT, batchSize);
        }
        List<byte[]> batches = new ArrayList<>();
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
                BatchEncoder.events(batch, batches.size() + 1, true, t.getTs() - 1, wire);
                batches.add(wire.toByteArray());
                sizes.add(new int[] {batch.rowCount()});
                order.add(new int[] {shard});
                batch.clear();
            }
        }
        for (int s = 0; s < shards; s++) {
            if (!open[s].isEmpty()) {
                BatchEncoder.events(open[s], batches.size() + 1, false, 0, wire);
                batches.add(wire.toByteArray());
                sizes.add(new int[] {open[s].rowCount()});
                order.add(new int[] {s});
            }
        }
        return batches;
    }
}
