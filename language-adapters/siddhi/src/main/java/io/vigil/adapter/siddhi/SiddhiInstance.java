package io.vigil.adapter.siddhi;

import io.siddhi.core.SiddhiAppRuntime;
import io.siddhi.core.event.Event;
import io.siddhi.core.stream.input.InputHandler;
import io.siddhi.core.stream.output.StreamCallback;
import io.siddhi.query.api.definition.Attribute;
import io.vigil.adapter.state.EventClock;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * One shard's Siddhi app. Events go in with their timestamps (playback), synchronously; the
 * results stream's callback writes each result, mapped by attribute name onto the output schema
 * and stamped with the row that caused it.
 */
final class SiddhiInstance implements OperatorInstance {
    private final SiddhiAppRuntime runtime;
    private final InputHandler input;
    private final int inputColumns;
    private final int[] outputColumnOf;
    private final long retentionMillis;
    private ColumnarBatch results;
    private long causeTimestamp;
    private long causeSequence;
    private final EventClock clock = new EventClock();
    private final PlaybackClock playback;

    SiddhiInstance(OperatorDefinition definition, SiddhiAppRuntime runtime, long retentionMillis) {
        this.runtime = runtime;
        this.retentionMillis = retentionMillis;
        this.inputColumns = definition.input().size();
        EventSchema output = definition.output();
        List<Attribute> attributes = runtime.getStreamDefinitionMap().get(output.name()).getAttributeList();
        this.outputColumnOf = new int[output.size()];
        for (int c = 0; c < output.size(); c++) {
            String name = output.field(c).name();
            for (int a = 0; a < attributes.size(); a++) {
                if (attributes.get(a).getName().equals(name)) {
                    outputColumnOf[c] = a;
                }
            }
        }
        runtime.addCallback(output.name(), new StreamCallback() {
            @Override
            public void receive(Event[] events) {
                for (Event event : events) {
                    int row = results.addRow(causeTimestamp, causeSequence);
                    Object[] data = event.getData();
                    for (int c = 0; c < outputColumnOf.length; c++) {
                        results.setObject(c, row, data[outputColumnOf[c]]);
                    }
                }
            }
        });
        runtime.start();
        this.input = runtime.getInputHandler(definition.input().name());
        this.playback = PlaybackClock.of(runtime);
    }

    @Override
    public void process(ColumnarBatch batch, ColumnarBatch output) {
        results = output;
        for (int r = 0; r < batch.rowCount(); r++) {
            Object[] event = new Object[inputColumns];
            for (int c = 0; c < inputColumns; c++) {
                event[c] = batch.getObject(c, r);
            }
            causeTimestamp = batch.timestamp(r);
            causeSequence = batch.sequence(r);
            clock.advanceTo(causeTimestamp);
            try {
                input.send(causeTimestamp, event);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Siddhi processed an event", e);
            }
        }
    }

    /**
     * Siddhi's playback time moves with the events alone, as in Siddhi itself: a watermark between
     * two events leaves it where it is, and what falls due before the next event fires when that
     * event arrives, as it would in the engine (the shard's clock follows the watermark all the
     * same). Only the end of input moves playback on, by the retention, so what windows and absence
     * patterns still hold fires; results it causes carry that time.
     */
    @Override
    public void advanceTime(long eventTime, long sequence, ColumnarBatch output) {
        if (eventTime != END_OF_INPUT || playback == null || clock.time() == Long.MIN_VALUE) {
            clock.advanceTo(eventTime);
            return;
        }
        long target = clock.time() + retentionMillis;
        clock.advanceTo(target);
        results = output;
        causeTimestamp = target;
        causeSequence = sequence;
        playback.advanceTo(target);
    }

    @Override
    public long eventTime() {
        return clock.time();
    }

    /** A Siddhi snapshot is one serialized app: it cannot be split by key group. */
    @Override
    public boolean splitsByKeyGroup() {
        return false;
    }

    @Override
    public boolean snapshot(OutputStream out) throws Exception {
        out.write(runtime.snapshot());
        return true;
    }

    @Override
    public void restore(InputStream in) throws Exception {
        runtime.restore(in.readAllBytes());
    }

    @Override
    public long replayHorizonMillis() {
        return retentionMillis;
    }

    @Override
    public void close() {
        runtime.shutdown();
    }
}
