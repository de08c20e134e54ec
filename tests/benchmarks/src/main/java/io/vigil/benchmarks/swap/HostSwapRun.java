package io.vigil.benchmarks.swap;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.vigil.api.client.ShardStream;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.codec.SwapReports;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.proto.ShardStatus;
import io.vigil.api.proto.StreamError;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.Frame;
import io.vigil.batching.Wakeup;
import io.vigil.benchmarks.harness.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Strategies against a function host, fed at the run's pace over the data plane with a
 * checkpoint every second, as the Flink connector would: (Vigil) Update in place; (i) overlap, in
 * the research system's manner — deploy the new version as a second operator, feed both for a
 * while, then stop feeding the old one and undeploy it.
 */
final class HostSwapRun {
    enum Strategy { IN_PLACE, OVERLAP }

    static final long OVERLAP_MILLIS = 250;
    private static final long CHECKPOINT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SwapWorkload workload;
    private final ManagedChannel channel;
    private final ControlPlaneClient control;
    private final Wakeup wakeup = new Wakeup();
    private volatile List<Target> targets = List.of();
    private final AtomicReference<Target> retiring = new AtomicReference<>();
    private final Queue<long[]> completions = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong targetIds = new AtomicLong();
    private int round;

    HostSwapRun(SwapWorkload workload, ManagedChannel channel, ControlPlaneClient control) {
        this.workload = workload;
        this.channel = channel;
        this.control = control;
    }

    SwapOutcome run(Strategy strategy, double eventsPerSecond, int swaps, String label) throws Exception {
        round++;
        SwapOutcome outcome = new SwapOutcome(label, workload.events);
        String first = SwapWorkload.NAME + "-" + round + (strategy == Strategy.OVERLAP ? "-v1" : "");
        control.deploy(workload.spec(first, 1));
        targets = List.of(open(first, outcome));
        long durationNanos = (long) (workload.events / eventsPerSecond * 1e9);
        long start = System.nanoTime();
        Thread swapper = new Thread(() -> {
            try {
                for (int k = 1; k <= swaps; k++) {
                    LockSupport.parkNanos(start + durationNanos * k / (swaps + 1) - System.nanoTime());
                    if (strategy == Strategy.IN_PLACE) {
                        swapInPlace(first, k + 1, outcome);
                    } else {
                        swapByOverlap(first.replace("-v1", "-v" + (k + 1)), outcome);
                    }
                    outcome.swaps++;
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "swapper");
        swapper.start();
        send(eventsPerSecond, start);
        outcome.elapsedNanos = System.nanoTime() - start;
        swapper.join(TimeUnit.MINUTES.toMillis(2));
        for (Target target : targets) {
            for (ShardStream stream : target.streams) {
                while (!stream.tryAcquireCredit()) {
                    wakeup.await(1, TimeUnit.MILLISECONDS);
                }
                target.outstanding.incrementAndGet();
                stream.send(Frame.of(workload.endOfInput));
            }
        }
        for (Target target : targets) {
            target.finish();
        }
        for (Target target : targets) {
            control.undeploy(target.operator);
        }
        if (failure.get() != null) {
            throw new IllegalStateException(label + " failed", failure.get());
        }
        return outcome;
    }

    private void swapInPlace(String operator, int version, SwapOutcome outcome) {
        long called = System.nanoTime();
        control.update(workload.spec(operator, version));
        outcome.callToActiveMicros.add((System.nanoTime() - called) / 1000);
        for (ShardStatus shard : control.describe(operator).getShardsList()) {
            outcome.pauseMicros.add(shard.getLastSwap().getPauseMicros());
            outcome.lastSwap = "shard " + shard.getShard() + ": " + SwapReports.describe(shard.getLastSwap());
        }
    }

    private void swapByOverlap(String operator, SwapOutcome outcome) throws Exception {
        long called = System.nanoTime();
        Target old = targets.get(0);
        control.deploy(workload.spec(operator, 2));
        Target next = open(operator, outcome);
        targets = List.of(old, next);
        outcome.callToActiveMicros.add((System.nanoTime() - called) / 1000);
        TimeUnit.MILLISECONDS.sleep(OVERLAP_MILLIS);
        retiring.set(old);
        while (retiring.get() != null) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        old.finish();
        control.undeploy(old.operator);
        // Both versions run side by side; neither stops, so there is no pause to report.
        outcome.pauseMicros.add(0L);
    }

    private void send(double eventsPerSecond, long start) {
        long sent = 0;
        long nextCheckpoint = start + CHECKPOINT_NANOS;
        long checkpointId = 0;
        for (int f = 0; f < workload.frames.size(); f++) {
            long due = start + (long) (sent * 1e9 / eventsPerSecond);
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            Target retire = retiring.get();
            if (retire != null) {
                targets = List.of(targets.get(targets.size() - 1));
                retire.complete();
                retiring.set(null);
            }
            long[] done;
            while ((done = completions.poll()) != null) {
                for (Target target : targets) {
                    if (target.id == done[0]) {
                        target.streams.get((int) done[1]).checkpointComplete(done[2]);
                    }
                }
            }
            if (System.nanoTime() >= nextCheckpoint) {
                checkpointId++;
                nextCheckpoint += CHECKPOINT_NANOS;
                for (Target target : targets) {
                    for (ShardStream stream : target.streams) {
                        stream.barrier(checkpointId);
                    }
                }
            }
            int shard = workload.frameShard.get(f);
            byte[] frame = workload.frames.get(f);
            for (Target target : targets) {
                while (!target.streams.get(shard).tryAcquireCredit()) {
                    wakeup.await(1, TimeUnit.MILLISECONDS);
                }
                target.outstanding.incrementAndGet();
                target.streams.get(shard).send(Frame.of(frame));
            }
            sent += workload.frameEvents.get(f).length;
        }
    }

    private Target open(String operator, SwapOutcome outcome) throws InterruptedException {
        Target target = new Target(operator, targetIds.incrementAndGet(), workload.shards);
        for (int s = 0; s < workload.shards; s++) {
            int shard = s;
            ColumnarBatch results = new ColumnarBatch(Workload.ALERT, 512);
            BatchDecoder decoder = new BatchDecoder();
            target.streams.add(ShardStream.open(channel, Workload.open(operator, s, "swap-benchmark"), new ShardStream.Listener() {
                @Override
                public void onResults(Frame frame) throws BatchFormatException {
                    results.clear();
                    decoder.results(frame.bytes(), frame.length(), results);
                    for (int r = 0; r < results.rowCount(); r++) {
                        int index = (int) results.getLong(4, r);
                        if (results.getString(0, r).equals("SEEN")) {
                            outcome.processed(index);
                        } else {
                            outcome.alert(index);
                        }
                    }
                    target.outstanding.decrementAndGet();
                }

                @Override
                public void onBarrierAck(long checkpointId, ByteString handle) {
                    completions.add(new long[] {target.id, shard, checkpointId});
                }

                @Override
                public void onError(StreamError error) {
                    if (!target.completing) {
                        failure.compareAndSet(null, new IllegalStateException(target.operator + " shard " + shard + ": " + error));
                    }
                }

                @Override
                public void onClosed(Status status) {
                    if (!status.isOk() && !target.completing) {
                        failure.compareAndSet(null, status.asRuntimeException());
                    }
                    target.closed.countDown();
                }
            }, wakeup::signal));
        }
        for (ShardStream stream : target.streams) {
            try {
                stream.opened().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("streams to " + operator + " did not open", e);
            }
        }
        return target;
    }

    /** One operator's streams, one per shard. */
    private static final class Target {
        final String operator;
        final long id;
        final List<ShardStream> streams = new ArrayList<>();
        final AtomicLong outstanding = new AtomicLong();
        final CountDownLatch closed;
        volatile boolean completing;

        Target(String operator, long id, int shards) {
            this.operator = operator;
            this.id = id;
            this.closed = new CountDownLatch(shards);
        }

        /** No more input (the sending thread): the host answers what it has and ends the streams. */
        void complete() {
            completing = true;
            streams.forEach(ShardStream::complete);
        }

        /** Waits until every batch sent has been answered and the host has ended the streams. */
        void finish() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (outstanding.get() > 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            if (!completing) {
                complete();
            }
            closed.await(1, TimeUnit.MINUTES);
        }
    }
}
