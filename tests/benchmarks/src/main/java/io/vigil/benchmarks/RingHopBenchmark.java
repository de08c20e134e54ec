package io.vigil.benchmarks;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.ProducerType;
import io.vigil.batching.RingWorker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One hop through a {@link RingWorker}: the producer writes a slot in place and publishes it, the
 * worker thread reads it, as the connector's task thread hands events to its sender. One
 * operation is one event; nothing is allocated per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RingHopBenchmark {
    private static final int EVENTS = 100_000;

    static final class Slot {
        long value;
    }

    private RingWorker<Slot> worker;
    private RingBuffer<Slot> ring;
    private final AtomicLong consumed = new AtomicLong();
    private long published;

    @Setup(Level.Trial)
    public void setUp() {
        EventHandler<Slot> handler = (slot, sequence, endOfBatch) -> {
            if (endOfBatch) {
                consumed.lazySet(sequence + 1);
            }
        };
        worker = new RingWorker<>("ring-hop", Slot::new, 8192, ProducerType.SINGLE, new YieldingWaitStrategy(), handler,
                e -> { throw new IllegalStateException("ring hop handler failed", e); }).start();
        ring = worker.ring();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        worker.halt();
        worker.join(5_000);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long publishAndConsume() {
        for (int i = 0; i < EVENTS; i++) {
            long sequence = ring.next();
            ring.get(sequence).value = i;
            ring.publish(sequence);
        }
        published += EVENTS;
        while (consumed.get() < published) {
            Thread.onSpinWait();
        }
        return published;
    }
}
