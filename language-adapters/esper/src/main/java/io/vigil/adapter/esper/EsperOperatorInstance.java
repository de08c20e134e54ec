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
import io.vigil.api.spi.TakenOver;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One shard's Esper runtimes, one per part of the module. Each clock is external: it starts at the
 * first event's timestamp and then moves only with watermarks (not with the end-of-input
 * watermark), so windows and {@code timer:within} run on Flink's event time.
 * Results are collected synchronously by the statements' listeners while an event or a time
 * advance is being processed, and stamped with what caused them.
 *
 * <p>An instance created to replace another may leave out the parts the other runs already
 * (placeholders); at the switch it takes those runtimes over as they are.
 */
final class EsperOperatorInstance implements OperatorInstance {
    private final Part[] parts;
    private final Set<String> keys;
    private final int inputColumns;
    private final EventSchema output;
    private ColumnarBatch results;
    private long causeTimestamp;
    private long causeSequence;

    EsperOperatorInstance(OperatorDefinition definition, List<Part> parts) {
        this.parts = parts.toArray(Part[]::new);
        this.keys = parts.stream().map(p -> p.key).collect(Collectors.toUnmodifiableSet());
        this.inputColumns = definition.input().size();
        this.output = definition.output();
        for (Part part : this.parts) {
            if (part.runtime != null) {
                listenTo(part);
            }
        }
    }

    Set<String> partKeys() {
        return keys;
    }

    @Override
    public void process(ColumnarBatch input, ColumnarBatch output) {
        results = output;
        int rows = input.rowCount();
        for (int r = 0; r < rows; r++) {
            long timestamp = input.timestamp(r);
            Object[] event = new Object[inputColumns];
            for (int c = 0; c < inputColumns; c++) {
                event[c] = input.getObject(c, r);
            }
            causeTimestamp = timestamp;
            causeSequence = input.sequence(r);
            for (Part part : parts) {
                if (part.runtime == null) {
                    continue;
                }
                if (part.clock == Long.MIN_VALUE) {
                    part.moveClock(timestamp);
                }
                part.sender.sendEvent(event);
            }
        }
    }

    @Override
    public void advanceTime(long eventTime, long sequence, ColumnarBatch output) {
        // The end-of-input watermark is not a time: Esper would run every periodic schedule
        // (say, 'output every 5 sec') once per period all the way to the end of the epoch.
        if (eventTime == Long.MAX_VALUE) {
            return;
        }
        results = output;
        causeTimestamp = eventTime;
        causeSequence = sequence;
        for (Part part : parts) {
            if (part.runtime != null && eventTime > part.clock) {
                part.moveClock(eventTime);
            }
        }
    }

    /** The clock of the part furthest behind. */
    @Override
    public long eventTime() {
        long clock = Long.MAX_VALUE;
        for (Part part : parts) {
            if (part.runtime != null) {
                clock = Math.min(clock, part.clock);
            }
        }
        return clock == Long.MAX_VALUE ? Long.MIN_VALUE : clock;
    }

    /** What the parts this instance deployed itself need replayed; the others come over with their state. */
    @Override
    public long replayHorizonMillis() {
        long horizon = 0;
        for (Part part : parts) {
            if (part.runtime != null) {
                horizon = Math.max(horizon, part.horizonMillis);
            }
        }
        return horizon;
    }

    @Override
    public TakenOver takeOver(OperatorInstance previous) {
        int taken = 0;
        for (Part part : parts) {
            if (part.runtime != null) {
                continue;
            }
            Part running = previous instanceof EsperOperatorInstance esper ? esper.part(part.key) : null;
            if (running == null) {
                throw new IllegalStateException("the instance replaced does not run the statements this one expects to take over");
            }
            part.runtime = running.runtime;
            part.sender = running.sender;
            part.emitting = running.emitting;
            part.clock = running.clock;
            running.runtime = null;
            listenTo(part);
            taken++;
        }
        return new TakenOver("statement groups", taken, parts.length);
    }

    @Override
    public void close() {
        for (Part part : parts) {
            part.destroy();
        }
    }

    private Part part(String key) {
        for (Part part : parts) {
            if (part.key.equals(key) && part.runtime != null) {
                return part;
            }
        }
        return null;
    }

    private void listenTo(Part part) {
        for (EPStatement statement : part.emitting) {
            statement.removeAllListeners();
            statement.addListener(new ResultWriter(statement));
        }
    }

    /** One part: a runtime running some of the module's statements, or a placeholder for one to take over. */
    static final class Part {
        final String key;
        final long horizonMillis;
        EPRuntime runtime;
        EventSender sender;
        List<EPStatement> emitting;
        long clock = Long.MIN_VALUE;

        Part(String key, long horizonMillis) {
            this.key = key;
            this.horizonMillis = horizonMillis;
        }

        Part(String key, long horizonMillis, EPRuntime runtime, String eventType, List<EPStatement> emitting) {
            this(key, horizonMillis);
            this.runtime = runtime;
            this.sender = runtime.getEventService().getEventSender(eventType);
            this.emitting = emitting;
        }

        void moveClock(long time) {
            clock = time;
            runtime.getEventService().advanceTime(time);
        }

        void destroy() {
            if (runtime != null) {
                runtime.destroy();
                runtime = null;
            }
        }
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
