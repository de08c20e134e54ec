package io.vigil.adapter.grpc;

import com.google.protobuf.ByteString;
import io.vigil.adapter.state.EventClock;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.proto.OpenShard;
import io.vigil.api.proto.KeyGroupRange;
import io.vigil.api.proto.RestoreSnapshot;
import io.vigil.api.proto.SessionReply;
import io.vigil.api.proto.SessionRequest;
import io.vigil.api.proto.TakeSnapshot;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.TakenOver;
import io.vigil.api.spi.ShardContext;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One shard of a remote function: a session with its process, through which every batch goes and
 * from which its results come back, in order. The state is the process's; a snapshot is the
 * process's snapshot of the session beside the clock the host keeps for it.
 */
final class RemoteInstance implements OperatorInstance {
    private final RemoteFunction function;
    private final String description;
    private final RemoteSession session;
    private final boolean takesOver;
    private final long retentionMillis;
    private final boolean reactsToTime;
    private final boolean incrementalSnapshots;
    private final boolean restoresKeyGroups;
    private final EventClock clock = new EventClock();
    private final WireBuffer request = new WireBuffer(64 * 1024);
    private final BatchDecoder decoder = new BatchDecoder();
    private final ColumnarBatch noRows;
    private long batchId;

    RemoteInstance(RemoteFunction function, EventSchema input, ShardContext shard, boolean takesOver, long retentionMillis) {
        this.function = function;
        this.description = "operator '" + shard.operatorName() + "' shard " + shard.shard() + " (" + function + ")";
        this.takesOver = takesOver;
        this.retentionMillis = retentionMillis;
        this.noRows = new ColumnarBatch(input, 1);
        this.session = new RemoteSession(function, description);
        try {
            SessionReply opened = session.call(SessionRequest.newBuilder()
                    .setOpen(OpenShard.newBuilder()
                            .setFunction(function.spec())
                            .setShard(shard.shard())
                            .setShards(shard.shards())
                            .setVersion(shard.version()))
                    .build(), SessionReply.KindCase.OPENED);
            this.reactsToTime = opened.getOpened().getReactsToTime();
            this.incrementalSnapshots = opened.getOpened().getIncrementalSnapshots();
            this.restoresKeyGroups = opened.getOpened().getRestoresKeyGroups();
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    RemoteFunction function() {
        return function;
    }

    @Override
    public void process(ColumnarBatch input, ColumnarBatch output) {
        if (input.rowCount() == 0) {
            return;
        }
        BatchEncoder.events(input, ++batchId, false, 0, request);
        results(session.exchange(Frame.of(request)), output);
        clock.startAt(input.timestamp(0));
    }

    @Override
    public void advanceTime(long eventTime, long sequence, ColumnarBatch output) {
        clock.advanceTo(eventTime);
        if (!reactsToTime) {
            return;
        }
        BatchEncoder.events(noRows, ++batchId, true, eventTime, request);
        int first = output.rowCount();
        results(session.exchange(Frame.of(request)), output);
        for (int r = first; r < output.rowCount(); r++) {
            output.setSequence(r, sequence);
        }
    }

    private void results(Frame reply, ColumnarBatch output) {
        if (!reply.isBatch()) {
            throw new RemoteOperatorException(description + " answered batch " + batchId + " with something other than its results");
        }
        int before = output.rowCount();
        try {
            decoder.results(reply.bytes(), reply.length(), output);
        } catch (BatchFormatException e) {
            throw new RemoteOperatorException(description + " sent results for batch " + batchId + " that do not fit the output schema: "
                    + e.getMessage(), e);
        }
        if (decoder.id() != batchId) {
            output.truncate(before);
            throw new RemoteOperatorException(description + " answered batch " + batchId + " with the results of batch " + decoder.id());
        }
    }

    @Override
    public long eventTime() {
        return clock.time();
    }

    @Override
    public boolean snapshot(OutputStream out) throws IOException {
        writeSnapshot(out, false);
        return true;
    }

    @Override
    public void restore(InputStream in) throws IOException {
        readSnapshot(in, false);
    }

    /** What changed since the last snapshot, when the process can say; otherwise the host takes it whole. */
    @Override
    public boolean snapshotChanges(OutputStream out) throws IOException {
        if (!incrementalSnapshots) {
            return false;
        }
        writeSnapshot(out, true);
        return true;
    }

    @Override
    public void restoreChanges(InputStream in) throws IOException {
        readSnapshot(in, true);
    }

    /** After a rescale: the process takes the keys of these key groups from another shard's snapshot, if it can. */
    @Override
    public boolean splitsByKeyGroup() {
        return restoresKeyGroups;
    }

    @Override
    public void restoreKeyGroups(InputStream in, int first, int end) throws IOException {
        readKeyGroups(in, false, first, end);
    }

    @Override
    public void restoreChangesKeyGroups(InputStream in, int first, int end) throws IOException {
        readKeyGroups(in, true, first, end);
    }

    private void readKeyGroups(InputStream in, boolean changes, int first, int end) throws IOException {
        if (!restoresKeyGroups) {
            throw new UnsupportedOperationException("the process serving " + function + " cannot take a snapshot's keys by key"
                    + " group (it did not open with restores_key_groups), so its operator can be moved between hosts but cannot"
                    + " change its shard count");
        }
        DataInputStream data = new DataInputStream(in);
        clock.advanceTo(data.readLong());
        session.call(SessionRequest.newBuilder().setRestore(RestoreSnapshot.newBuilder().setState(ByteString.readFrom(data))
                .setChanges(changes).setKeyGroups(KeyGroupRange.newBuilder().setFirst(first).setEnd(end))).build(),
                SessionReply.KindCase.RESTORED);
    }

    private void writeSnapshot(OutputStream out, boolean changesOnly) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(clock.time());
        snapshotBytes(changesOnly).writeTo(data);
        data.flush();
    }

    private void readSnapshot(InputStream in, boolean changes) throws IOException {
        DataInputStream data = new DataInputStream(in);
        clock.restore(data.readLong());
        restoreBytes(ByteString.readFrom(data), changes);
    }

    private ByteString snapshotBytes(boolean changesOnly) {
        return session.call(SessionRequest.newBuilder().setSnapshot(TakeSnapshot.newBuilder().setChangesOnly(changesOnly)).build(),
                SessionReply.KindCase.SNAPSHOT).getSnapshot().getState();
    }

    private void restoreBytes(ByteString state, boolean changes) {
        session.call(SessionRequest.newBuilder().setRestore(RestoreSnapshot.newBuilder().setState(state).setChanges(changes)).build(),
                SessionReply.KindCase.RESTORED);
    }

    /** Taking over a session of the same function, nothing to replay; otherwise the input the host retained. */
    @Override
    public long replayHorizonMillis() {
        return takesOver ? 0 : retentionMillis;
    }

    @Override
    public TakenOver takeOver(OperatorInstance previous) {
        if (!takesOver || !(previous instanceof RemoteInstance old)) {
            return TakenOver.NOTHING;
        }
        ByteString state = old.snapshotBytes(false);
        restoreBytes(state, false);
        clock.advanceTo(old.clock.time());
        return new TakenOver("bytes of the session's state", state.size(), state.size());
    }

    @Override
    public void close() {
        session.close();
    }
}
