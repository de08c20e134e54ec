package io.vigil.adapter.state;

import io.vigil.api.keys.KeyGroups;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.TakenOver;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What every instance whose state is the host's does alike, whatever its language: its clock
 * follows the events and the watermarks, its snapshot is its state, and an instance of a new version of the same
 * language takes the old one's state over at the switch; from another language it replays the
 * input kept within {@code retention}.
 */
public abstract class KeyedStateInstance implements OperatorInstance {
    protected final KeyedStates states;
    private final boolean takesOver;
    private final long retentionMillis;
    private final EventClock clock = new EventClock();

    protected KeyedStateInstance(OperatorDefinition definition, boolean takesOver, long retentionMillis) {
        this.states = new KeyedStates(definition.name());
        this.takesOver = takesOver;
        this.retentionMillis = retentionMillis;
    }

    /** Moves the clock to an event's timestamp (the host hands events over in timestamp order). */
    protected void clockAt(long eventTime) {
        clock.advanceTo(eventTime);
    }

    @Override
    public void advanceTime(long eventTime, long sequence, io.vigil.api.batch.ColumnarBatch output) {
        clock.advanceTo(eventTime);
    }

    @Override
    public long eventTime() {
        return clock.time();
    }

    @Override
    public boolean snapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(clock.time());
        states.write(data);
        data.flush();
        return true;
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        clock.restore(data.readLong());
        states.read(data);
    }

    /** The clock, and the keys written since the last snapshot with their values now (or that they are gone). */
    @Override
    public boolean snapshotChanges(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(clock.time());
        states.writeChanges(data);
        data.flush();
        return true;
    }

    @Override
    public void restoreChanges(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        clock.restore(data.readLong());
        states.readChanges(data);
    }

    /** After a rescale: the keys of the key groups this shard owns, from the snapshot of a shard that owned some of them. */
    @Override
    public void restoreKeyGroups(InputStream in, int first, int end) throws IOException {
        DataInputStream data = new DataInputStream(in);
        clock.advanceTo(data.readLong());
        states.readKeys(data, key -> inRange(key, first, end));
    }

    @Override
    public void restoreChangesKeyGroups(InputStream in, int first, int end) throws IOException {
        DataInputStream data = new DataInputStream(in);
        clock.advanceTo(data.readLong());
        states.readChanges(data, key -> inRange(key, first, end));
    }

    private static boolean inRange(Object key, int first, int end) {
        int group = KeyGroups.ofKey(key);
        return group >= first && group < end;
    }

    /** Taking over an instance of the same language, nothing to replay; otherwise the input the host retained. */
    @Override
    public long replayHorizonMillis() {
        return takesOver ? 0 : retentionMillis;
    }

    @Override
    public TakenOver takeOver(OperatorInstance previous) {
        if (!takesOver || previous.getClass() != getClass()) {
            return TakenOver.NOTHING;
        }
        KeyedStateInstance old = (KeyedStateInstance) previous;
        clock.advanceTo(old.clock.time());
        return states.takeOver(old.states);
    }

    @Override
    public void close() {
        states.clear();
    }
}
