package io.vigil.adapter.esper;

import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.EventPropertyGetter;
import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPStatement;
import com.espertech.esper.runtime.client.UpdateListener;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import java.util.List;

/**
 * One shard's Esper runtime. Its clock is external: it starts at the first event's timestamp and
 * then moves only with watermarks (not with the end-of-input watermark), so windows and
 * {@code timer:within} run on Flink's event time.
 * Results are collected synchronously by the statements' listeners while an event or a time
 * advance is being processed, and stamped with what caused them.
 */
final class EsperOperatorInstance implements OperatorInstance {
    private final EPRuntime runtime;
    private final EventSender sender;
    private final int inputColumns;
    private final EventSchema output;
    private ColumnarBatch results;
    private long causeTimestamp;
    private long causeSequence;
    private long clock = Long.MIN_VALUE;

    EsperOperatorInstance(EPRuntime runtime, OperatorDefinition definition) {
        this.runtime = runtime;
        this.sender = runtime.getEventService().getEventSender(definition.input().name());
        this.inputColumns = definition.input().size();
        this.output = definition.output();
    }

    void listenTo(List<EPStatement> statements) {
        for (EPStatement statement : statements) {
            statement.addListener(new ResultWriter(statement));
        }
    }

    @Override
    public void process(ColumnarBatch input, ColumnarBatch output) {
        results = output;
        int rows = input.rowCount();
        for (int r = 0; r < rows; r++) {
            long timestamp = input.timestamp(r);
            if (clock == Long.MIN_VALUE) {
                moveClock(timestamp);
            }
            Object[] event = new Object[inputColumns];
            for (int c = 0; c < inputColumns; c++) {
                event[c] = input.getObject(c, r);
            }
            causeTimestamp = timestamp;
            causeSequence = input.sequence(r);
            sender.sendEvent(event);
        }
    }

    @Override
    public void advanceTime(long eventTime, long sequence, ColumnarBatch output) {
        // The end-of-input watermark is not a time: Esper would run every periodic schedule
        // (say, 'output every 5 sec') once per period all the way to the end of the epoch.
        if (eventTime <= clock || eventTime == Long.MAX_VALUE) {
            return;
        }
        results = output;
        causeTimestamp = eventTime;
        causeSequence = sequence;
        moveClock(eventTime);
    }

    @Override
    public long eventTime() {
        return clock;
    }

    @Override
    public void close() {
        runtime.destroy();
    }

    private void moveClock(long time) {
        clock = time;
        runtime.getEventService().advanceTime(time);
    }

    /** Writes one statement's new rows into the result batch; the getters are resolved once per statement. */
    private final class ResultWriter implements UpdateListener {
        private final EventPropertyGetter[] getters;

        ResultWriter(EPStatement statement) {
            getters = new EventPropertyGetter[output.size()];
            for (int c = 0; c < getters.length; c++) {
                String name = output.field(c).name();
                getters[c] = statement.getEventType().isProperty(name) ? statement.getEventType().getGetter(name) : null;
            }
        }

        @Override
        public void update(EventBean[] newEvents, EventBean[] oldEvents, EPStatement statement, EPRuntime source) {
            if (newEvents == null) {
                return;
            }
            for (EventBean event : newEvents) {
                int row = results.addRow(causeTimestamp, causeSequence);
                for (int c = 0; c < getters.length; c++) {
                    results.setObject(c, row, getters[c] == null ? null : getters[c].get(event));
                }
            }
        }
    }
}
