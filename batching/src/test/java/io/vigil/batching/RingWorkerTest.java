package io.vigil.batching;

import static org.assertj.core.api.Assertions.assertThat;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.dsl.ProducerType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RingWorkerTest {
    static final class Slot {
        long value;
        boolean stop;
    }

    @Test
    void oneThreadHandlesEverySlotInOrderAndStopsAfterDraining() throws Exception {
        List<Long> seen = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        RingWorker<Slot>[] worker = new RingWorker[1];
        EventHandler<Slot> handler = (slot, sequence, endOfBatch) -> {
            threads.add(Thread.currentThread());
            if (slot.stop) {
                worker[0].haltFromHandler();
            } else {
                seen.add(slot.value);
            }
        };
        worker[0] = new RingWorker<>("test-ring", Slot::new, 64, ProducerType.SINGLE, new BlockingWaitStrategy(), handler, e -> { throw new AssertionError(e); }).start();
        for (long i = 0; i < 1_000; i++) {
            long sequence = worker[0].ring().next();
            Slot slot = worker[0].ring().get(sequence);
            slot.value = i;
            slot.stop = false;
            worker[0].ring().publish(sequence);
        }
        long sequence = worker[0].ring().next();
        worker[0].ring().get(sequence).stop = true;
        worker[0].ring().publish(sequence);

        assertThat(worker[0].join(TimeUnit.SECONDS.toMillis(10))).isTrue();
        assertThat(seen).hasSize(1_000);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
        assertThat(threads).allMatch(t -> t == worker[0].thread());
    }

    @Test
    void aHandlerExceptionReachesTheOwnerWithItsCauseAndTheRingKeepsRunning() throws Exception {
        List<Long> seen = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> reported = new java.util.concurrent.atomic.AtomicReference<>();
        RingWorker<Slot> worker = new RingWorker<>("test-ring", Slot::new, 8, ProducerType.SINGLE, new BlockingWaitStrategy(),
                (slot, sequence, endOfBatch) -> {
                    if (slot.value == 1) {
                        throw new IllegalStateException("boom");
                    }
                    seen.add(slot.value);
                }, reported::set).start();
        for (long i = 0; i < 3; i++) {
            long sequence = worker.ring().next();
            worker.ring().get(sequence).value = i;
            worker.ring().publish(sequence);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (worker.ring().getMinimumGatingSequence() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        worker.halt();
        assertThat(worker.join(10_000)).isTrue();
        assertThat(seen).containsExactly(0L, 2L);
        assertThat(reported.get()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }

    @Test
    void batchPolicyClosesOnSizeOnDrainWhenIdleAndAfterLingerUnderLoad() {
        BatchPolicy policy = BatchPolicy.of(100, Duration.ofMillis(2));
        assertThat(policy.isFull(99)).isFalse();
        assertThat(policy.isFull(100)).isTrue();
        assertThat(policy.closesOnDrain(0, 1, true)).as("idle receiver: send at once").isTrue();
        assertThat(policy.closesOnDrain(0, 1_999_999, false)).as("busy receiver: gather").isFalse();
        assertThat(policy.closesOnDrain(0, 2_000_000, false)).isTrue();
        assertThat(BatchPolicy.of(10, Duration.ZERO).closesOnDrain(5, 5, false)).isTrue();
    }

    @Test
    void aSignalWakesTheWaiterAndNoneIsLostBeforeItParks() throws Exception {
        Wakeup wakeup = new Wakeup();
        java.util.concurrent.atomic.AtomicBoolean granted = new java.util.concurrent.atomic.AtomicBoolean();
        wakeup.signal();
        long start = System.nanoTime();
        wakeup.await(5, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - start).as("a signal raised before the wait is not lost").isLessThan(TimeUnit.SECONDS.toNanos(5));

        Thread granter = new Thread(() -> {
            granted.set(true);
            wakeup.signal();
        });
        start = System.nanoTime();
        granter.start();
        while (!granted.get()) {
            wakeup.await(5, TimeUnit.SECONDS);
        }
        granter.join();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
}
