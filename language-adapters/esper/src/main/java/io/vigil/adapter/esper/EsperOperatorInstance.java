package io.vigil.adapter.esper;

import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.EventPropertyGetter;
import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPStatement;
import com.espertech.esper.runtime.client.UpdateListener;
import io.vigil.adapter.esper.schedule.SteppedClock;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.TakenOver;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One shard's Esper runtimes, one per part of the module. Each clock is external and steps, as
 * {@code advanceTimeSpan} does, through every schedule up to each event's timestamp before the
 * event is sent, so windows, batches, output rates and timers fire at their own times, between
 * events, exactly as in an Esper runtime whose clock an application advances per event. The end of
 * input moves every clock on by the module's state horizon, which flushes what is still due.
 * Results are collected synchronously by the statements' listeners and stamped with the runtime's
 * time when they were emitted; a result that does not fit the output schema fails the call.
 *
 * <p>An instance created to replace another may leave out the parts the other runs already
 * (placeholders); at the switch it takes those runtimes over as they are.
 */
final class EsperOperatorInstance implements OperatorInstance {
    private final Part[] parts;
    private final Set<String> keys;
    private final int inputColumns;
    private final EventSchema output;
    private final String operatorName;
    private final long flushMillis;
    private ColumnarBatch results;
    private long causeSequence;
    private RuntimeException misfit;

    /** @param flushMillis how far the end of input moves the clocks: the module's state horizon */
    EsperOperatorInstance(OperatorDefinition definition, List<Part> parts, long flushMillis) {
        this.operatorName = definition.name();
        this.flushMillis = flushMillis;
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
            causeSequence = input.sequence(r);
            for (Part part : parts) {
                if (part.runtime == null) {
                    continue;
                }
                part.stepClock(timestamp);
                part.sender.sendEvent(event);
                throwIfMisfit();
            }
        }
    }

    @Override
    public void advanceTime(long eventTime, long sequence, ColumnarBatch output) {
        results = output;
        causeSequence = sequence;
        for (Part part : parts) {
            if (part.runtime == null || part.clock == Long.MIN_VALUE) {
                continue;
            }
            // The end of input is not a time to step to: every periodic schedule ('output every
            // 5 sec') would fire once per period to the end of the epoch. What the module can
            // still emit about its input lies within its state horizon.
            part.stepClock(eventTime == END_OF_INPUT ? part.clock + flushMillis : eventTime);
            throwIfMisfit();
        }
    }

    private void throwIfMisfit() {
        RuntimeException e = misfit;
        if (e != null) {
            misfit = null;
            throw e;
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
            part.stepper = running.stepper;
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
        SteppedClock stepper;
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
            this.stepper = SteppedClock.of(runtime);
            this.emitting = emitting;
        }

        /** Steps through every schedule due up to {@code time}; the first time only sets the clock. */
        void stepClock(long time) {
            if (clock == Long.MIN_VALUE) {
                stepper.set(time);
                clock = time;
            } else if (time > clock) {
                stepper.stepTo(time);
                clock = time;
            }
        }

        void destroy() {
            if (runtime != null) {
                runtime.destroy();
                runtime = null;
            }
        }
    }

    /**
     * Writes one statement's new rows into the result batch, stamped with the runtime's time; the
     * getters are resolved once per statement. Esper catches what a listener throws, so a row that
     * does not fit the output schema is kept aside and thrown once the runtime returns.
     */
    private final class ResultWriter implements UpdateListener {
        private final EventPropertyGetter[] getters;
        private final String statementName;

        ResultWriter(EPStatement statement) {
            statementName = statement.getName();
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
            if (misfit != null) {
                return;
            }
            long time = source.getEventService().getCurrentTime();
            for (int e = 0; e < newEvents.length; e++) {
                int row = results.addRow(time, causeSequence);
                for (int c = 0; c < getters.length; c++) {
                    Object value = getters[c] == null ? null : getters[c].get(newEvents[e]);
                    try {
                        results.setObject(c, row, value);
                    } catch (RuntimeException wrong) {
                        results.truncate(row);
                        misfit = new IllegalStateException("operator '" + operatorName + "' statement '" + statementName
                                + "' emitted row " + e + " at " + time + " with " + (value == null ? "null"
                                : "a " + value.getClass().getSimpleName() + " (" + value + ")") + " in output field '"
                                + output.field(c).name() + "' (" + output.field(c).kind() + (output.field(c).nullable() ? "" : ", not nullable")
                                + "): " + wrong.getMessage(), wrong);
                        return;
                    }
                }
            }
        }
    }
}
