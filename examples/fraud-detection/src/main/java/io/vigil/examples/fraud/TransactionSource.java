package io.vigil.examples.fraud;

import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Feeds Flink's data-generator source from {@link TransactionGenerator}: index i is the i-th
 * transaction of the seeded stream, so a restarted reader reproduces exactly what it produced before.
 */
public final class TransactionSource implements GeneratorFunction<Long, Transaction> {
    private final long seed;
    private final long events;
    private final double fraudRate;
    private final String holds;
    private transient TransactionGenerator generator;
    private transient long next;
    private transient SourceHolds sourceHolds;
    private transient long nextHold;

    public TransactionSource(long seed, long events, double fraudRate) {
        this(seed, events, fraudRate, null);
    }

    /** @param holds the name of {@link SourceHolds} registered in this JVM to wait at, or null */
    public TransactionSource(long seed, long events, double fraudRate, String holds) {
        this.seed = seed;
        this.events = events;
        this.fraudRate = fraudRate;
        this.holds = holds;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        sourceHolds = SourceHolds.named(holds);
        nextHold = sourceHolds == null ? Long.MAX_VALUE : sourceHolds.nextHold();
        restart();
    }

    @Override
    public Transaction map(Long index) throws InterruptedException {
        if (index >= nextHold) {
            sourceHolds.awaitPast(index);
            nextHold = sourceHolds.nextHold();
        }
        if (index < next) {
            restart();
        }
        while (next < index) {
            generator.next();
            next++;
        }
        next++;
        return generator.next();
    }

    private void restart() {
        generator = new TransactionGenerator(seed, events, fraudRate, expected -> { });
        next = 0;
    }
}
