package io.vigil.batching;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventFactory;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.ProducerType;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Disruptor ring drained by one dedicated thread running an {@link EventHandler}. The thread owns
 * whatever the handler touches. To stop after draining, publish an event whose handling calls
 * {@link #haltFromHandler()}; {@link #halt()} stops at once.
 */
public final class RingWorker<E> {
    private final RingBuffer<E> ring;
    private final BatchEventProcessor<E> processor;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public RingWorker(String threadName, EventFactory<E> factory, int size, ProducerType producers,
                      WaitStrategy waitStrategy, EventHandler<E> handler) {
        this.ring = RingBuffer.create(producers, factory, size, waitStrategy);
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), handler);
        this.processor.setExceptionHandler(new RecordingExceptionHandler());
        ring.addGatingSequences(processor.getSequence());
        this.thread = new Thread(processor, threadName);
        this.thread.setDaemon(true);
    }

    public RingWorker<E> start() {
        thread.start();
        return this;
    }

    public RingBuffer<E> ring() {
        return ring;
    }

    public Thread thread() {
        return thread;
    }

    /** The first exception the handler let escape, or null. The ring keeps running after one. */
    public Throwable failure() {
        return failure.get();
    }

    /** Called by the handler on its own thread: stops after the event being handled. */
    public void haltFromHandler() {
        processor.halt();
    }

    public void halt() {
        processor.halt();
    }

    public boolean join(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    private final class RecordingExceptionHandler implements ExceptionHandler<E> {
        @Override
        public void handleEventException(Throwable ex, long sequence, E event) {
            failure.compareAndSet(null, ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            failure.compareAndSet(null, ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            failure.compareAndSet(null, ex);
        }
    }
}
