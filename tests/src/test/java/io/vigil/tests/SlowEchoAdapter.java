package io.vigil.tests;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.LanguageAdapter;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A test language, {@code test-slow}: echoes every input row (by field name) after spending the
 * source text's number of microseconds per 64 rows, to stand in for an operator slower than its
 * input. The cost goes by rows, not calls, since how many rows one call gets depends on when the
 * watermark releases them. While {@link #stall} is set, every instance waits before each batch, to
 * stand in for an operator that has stopped answering.
 */
public final class SlowEchoAdapter implements LanguageAdapter {
    static final int ROWS_PER_COST = 64;
    static volatile boolean stall;

    @Override
    public String language() {
        return "test-slow";
    }

    @Override
    public CompiledOperator compile(OperatorDefinition definition) {
        long micros = Long.parseLong(definition.source().trim());
        return new CompiledOperator() {
            @Override
            public OperatorDefinition definition() {
                return definition;
            }

            @Override
            public long stateHorizonMillis() {
                return 0;
            }

            @Override
            public OperatorInstance instantiate(ShardContext shard) {
                return new Echo(definition, micros);
            }
        };
    }

    private static final class Echo implements OperatorInstance {
        private final int[] inputColumn;
        private final long micros;
        private long clock = Long.MIN_VALUE;

        Echo(OperatorDefinition definition, long micros) {
            this.micros = micros;
            inputColumn = new int[definition.output().size()];
            for (int c = 0; c < inputColumn.length; c++) {
                inputColumn[c] = definition.input().indexOf(definition.output().field(c).name());
            }
        }

        @Override
        public void process(ColumnarBatch input, ColumnarBatch output) {
            while (stall) {
                LockSupport.parkNanos(1_000_000);
            }
            long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros) * input.rowCount() / ROWS_PER_COST;
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(until - System.nanoTime());
            }
            for (int r = 0; r < input.rowCount(); r++) {
                int row = output.addRow(input.timestamp(r), input.sequence(r));
                for (int c = 0; c < inputColumn.length; c++) {
                    output.setObject(c, row, input.getObject(inputColumn[c], r));
                }
            }
        }

        @Override
        public void advanceTime(long eventTime, long sequence, ColumnarBatch output) {
            clock = Math.max(clock, eventTime);
        }

        @Override
        public long eventTime() {
            return clock;
        }

        @Override
        public void close() {
        }
    }
}
