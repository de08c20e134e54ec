package io.vigil.batching;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventFactory;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.ProducerType;
import java.util.function.Consumer;

/**
 * A Disruptor ring drained by one dedicated thread running an {@link EventHandler}. The thread owns
 * whatever the handler touches. To stop after draining, publish an event whose handling calls
 * {@link #haltFromHandler()}; {@link #halt()} stops at once.
 */
public final class RingWorker<E> {
    private final RingBuffer<E> ring;
    private final BatchEventProcessor<E> processor;
    private final Thread thread;
    private final Consumer<Throwable> onFailure;

    /**
     * @param onFailure receives, on the worker's thread, whatever the handler lets escape (the ring
     *                  keeps running after it): the owner fails what the worker serves
     */
    public RingWorker(String threadName, EventFactory<E> factory, int size, ProducerType producers,
                      WaitStrategy waitStrategy, EventHandler<E> handler, Consumer<Throwable> onFailure) {
        this.onFailure = onFailure;
        this.ring = RingBuffer.create(producers, factory, size, waitStrategy);
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), handler);
        this.processor.setExceptionHandler(new ReportingExceptionHandler());
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

    private final class ReportingExceptionHandler implements ExceptionHandler<E> {
        @Override
        public void handleEventException(Throwable ex, long sequence, E event) {
            onFailure.accept(ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            onFailure.accept(ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            onFailure.accept(ex);
        }
    }
}
