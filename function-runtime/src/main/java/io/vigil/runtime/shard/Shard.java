package io.vigil.runtime.shard;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.dsl.ProducerType;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.proto.BarrierAck;
import io.vigil.api.proto.Error;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Opened;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import io.vigil.batching.RingWorker;
import io.vigil.runtime.state.ShardState;
import io.vigil.state.RecordAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of an operator: a range of key groups, the operator instance that holds their state,
 * and the one thread that runs it. Network threads hand it work through its ring; the thread
 * processes batches in arrival order per stream and answers each on the stream it came from.
 */
public final class Shard implements EventHandler<ShardTask> {
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    private final OperatorDefinition definition;
    private final int index;
    private final io.vigil.api.proto.Schema outputSchemaProto;
    private final RingWorker<ShardTask> worker;
    private final ColumnarBatch input;
    private final ColumnarBatch results;
    private final BatchDecoder decoder = new BatchDecoder();
    private final WireBuffer answer = new WireBuffer(64 << 10);
    private final int keyColumn;
    private final FieldKind keyKind;
    private final List<StreamSession> sessions = new ArrayList<>();
    private final ShardState state;
    private ShardVersion running;
    // Written only by the shard's thread; read by an update preparing the instance that replaces it.
    private volatile OperatorInstance instance;
    private volatile long version;
    private volatile long eventsProcessed;
    private volatile long resultsEmitted;
    private volatile int openStreams;
    private volatile long eventTime = Long.MIN_VALUE;
    private volatile boolean accepting = true;
    private final AtomicInteger pendingBatches = new AtomicInteger();
    private final Queue<Runnable> urgent = new ConcurrentLinkedQueue<>();
    private boolean answerPending;
    private volatile String lastSwap = "";
    private volatile long lastSwapPauseMicros;
    private volatile long eventsAtLastSwap;

    /** @param state where checkpoints go, or null when the host keeps no state */
    public Shard(OperatorDefinition definition, int index, ShardVersion running, OperatorInstance instance, int ringSize,
                 ClassLoader operatorClassLoader, ShardState state) {
        this.definition = definition;
        this.index = index;
        this.running = running;
        this.instance = instance;
        this.version = running.version();
        this.state = state;
        this.outputSchemaProto = io.vigil.api.codec.SchemaProtos.toProto(definition.output());
        EventSchema inputSchema = definition.input();
        this.input = new ColumnarBatch(inputSchema, 1024);
        this.results = new ColumnarBatch(definition.output(), 256);
        this.keyColumn = inputSchema.indexOf(definition.keyField());
        this.keyKind = inputSchema.field(keyColumn).kind();
        this.worker = new RingWorker<>("vigil-" + definition.name() + "-shard-" + index, ShardTask::new, ringSize,
                ProducerType.MULTI, new BlockingWaitStrategy(), this);
        this.worker.thread().setContextClassLoader(operatorClassLoader);
    }

    public Shard start() {
        worker.start();
        return this;
    }

    public int index() {
        return index;
    }

    public boolean isAccepting() {
        return accepting;
    }

    public ShardStats stats() {
        return new ShardStats(index, version, eventsProcessed, resultsEmitted, openStreams, eventTime, pendingBatches.get());
    }

    // ---- called by network and control threads ----

    public void open(StreamSession session, StateHandle restore) {
        worker.ring().publishEvent(ShardTask::open, session, restore);
    }

    public void barrier(StreamSession session, long checkpointId) {
        worker.ring().publishEvent(ShardTask::barrier, session, checkpointId);
    }

    public void checkpointComplete(StreamSession session, long checkpointId) {
        worker.ring().publishEvent(ShardTask::checkpointComplete, session, checkpointId);
    }

    public void batch(StreamSession session, Frame batch) {
        pendingBatches.incrementAndGet();
        worker.ring().publishEvent(ShardTask::batch, session, batch);
    }

    public void closeStream(StreamSession session, boolean clientCompleted) {
        worker.ring().publishEvent(ShardTask::closeStream, session, clientCompleted);
    }

    public void failStream(StreamSession session, Error.Code code, String message) {
        worker.ring().publishEvent(ShardTask::failStream, session, code, message);
    }

    /**
     * Switches to {@code next} at the next batch boundary; completes once it is active. When
     * {@code replayedThrough} is not negative, {@code next} has already been fed the input log up
     * to that serial off the hot path, and the shard feeds it the rest before switching. Completes
     * with the instance replaced, which the caller closes.
     */
    public CompletableFuture<OperatorInstance> swap(OperatorInstance next, ShardVersion nextVersion, boolean carry,
                                                    long replayedThrough, String preparation) {
        SwapRequest request = new SwapRequest(next, nextVersion, carry, replayedThrough, preparation, new CompletableFuture<>());
        runFirst(() -> {
            try {
                onSwap(request);
            } catch (RuntimeException e) {
                LOG.error("Shard {} of operator {} failed switching to version {}", index, definition.name(), nextVersion.version(), e);
                request.done().completeExceptionally(e);
            }
        });
        return request.done();
    }

    /**
     * The input log after a serial (-1: all of it within {@code horizonMillis} of the shard's clock),
     * for a new version to replay off the hot path; null when the host keeps none.
     */
    public CompletableFuture<ShardState.LogSnapshot> logSince(long afterSerial, long horizonMillis) {
        CompletableFuture<ShardState.LogSnapshot> reply = new CompletableFuture<>();
        runFirst(() -> reply.complete(state == null ? null : state.logSince(afterSerial, instance.eventTime(), horizonMillis)));
        return reply;
    }

    /**
     * Runs {@code work} on the shard's thread before its next task, ahead of the batches queued in
     * its ring: control work (a log snapshot, a switch) then waits for one batch at most, and the
     * batches already queued go to a new version instead of widening the delta it must replay.
     */
    private void runFirst(Runnable work) {
        urgent.add(work);
        worker.ring().publishEvent(ShardTask::wake);
    }

    /** Replays logged records into an instance on the calling thread. */
    public long replayInto(OperatorInstance target, List<RecordAddress> records) throws Exception {
        LogReplayer replayer = new LogReplayer(target, definition);
        state.replay(records, replayer);
        return replayer.batches();
    }

    /** The instance running now, for an update to prepare the one replacing it (which must not touch its state). */
    public OperatorInstance runningInstance() {
        return instance;
    }

    public String lastSwap() {
        return lastSwap;
    }

    public long lastSwapPauseMicros() {
        return lastSwapPauseMicros;
    }

    public long eventsAtLastSwap() {
        return eventsAtLastSwap;
    }

    /**
     * Finishes everything already in the ring, then ends the streams still open with
     * {@code code}/{@code message}, closes the instance and stops the thread.
     */
    public CompletableFuture<Void> stop(Error.Code code, String message) {
        accepting = false;
        CompletableFuture<Void> done = new CompletableFuture<>();
        worker.ring().publishEvent(ShardTask::stop, code, message, done);
        return done;
    }

    public boolean awaitStopped(long millis) throws InterruptedException {
        return worker.join(millis);
    }

    // ---- the shard thread ----

    @Override
    public void onEvent(ShardTask task, long sequence, boolean endOfBatch) {
        Runnable first;
        while ((first = urgent.poll()) != null) {
            first.run();
        }
        try {
            switch (task.kind) {
                case OPEN -> onOpen(task.session, task.restore);
                case BARRIER -> onBarrier(task.session, task.checkpointId);
                case CHECKPOINT_COMPLETE -> onCheckpointComplete(task.checkpointId);
                case BATCH -> {
                    answerPending = true;
                    try {
                        onBatch(task.session, task.batch);
                    } finally {
                        if (answerPending) {
                            answered(task.session);
                        }
                    }
                }
                case CLOSE_STREAM -> onClose(task.session, task.clientCompleted);
                case FAIL_STREAM -> {
                    task.session.fail(task.errorCode, task.errorMessage, 0);
                    forget(task.session);
                }
                case WAKE -> {
                    // Only brings an idle shard to its urgent work, done above.
                }
                case STOP -> onStop(task.errorCode, task.errorMessage, task.stopped);
            }
        } catch (RuntimeException e) {
            LOG.error("Shard {} of operator {} failed handling {}", index, definition.name(), task.kind, e);
            if (task.session != null) {
                task.session.fail(Error.Code.OPERATOR_FAILED, "operator '" + definition.name() + "' shard " + index
                        + " failed: " + e, task.kind == ShardTask.Kind.BATCH ? decoder.id() : 0);
                forget(task.session);
            }
            if (task.stopped != null) {
                task.stopped.completeExceptionally(e);
            }
        } finally {
            task.clear();
        }
    }

    private void onOpen(StreamSession session, StateHandle restore) {
        if (restore != null && !restore.equals(epoch())) {
            if (!restoreFrom(session, restore)) {
                return;
            }
        }
        session.restoredFrom = restore;
        sessions.add(session);
        openStreams = sessions.size();
        session.send(HostFrame.newBuilder().setOpened(Opened.newBuilder()
                .setVersion(version)
                .setCredits(session.credits())
                .setOutputSchema(outputSchemaProto)).build());
    }

    private void onBatch(StreamSession session, Frame batch) {
        if (session.closed) {
            return;
        }
        if (session.barrier != 0) {
            // Sent after a barrier the shard has not yet taken: it belongs to the next checkpoint.
            answerPending = false;
            session.held.addLast(batch);
            return;
        }
        input.clear();
        results.clear();
        try {
            decoder.events(batch.bytes(), batch.length(), input);
            checkKeys(input);
        } catch (BatchFormatException e) {
            session.fail(Error.Code.BAD_BATCH, "batch " + decoder.id() + " for operator '" + definition.name()
                    + "' rejected: " + e.getMessage(), decoder.id());
            forget(session);
            return;
        }
        long batchId = decoder.id();
        int rows = input.rowCount();
        if (rows > 0) {
            log(batch, input);
            session.lastSequence = input.sequence(rows - 1);
            instance.process(input, results);
        }
        if (decoder.hasWatermark() && decoder.watermark() > session.watermark) {
            session.watermark = decoder.watermark();
            long clock = lowestWatermark();
            if (clock != Long.MIN_VALUE && clock > instance.eventTime()) {
                logAdvance(clock, session.lastSequence);
                instance.advanceTime(clock, session.lastSequence, results);
            }
        }
        // The credit returns with the answer, so count the batch as answered before sending it.
        answered(session);
        BatchEncoder.results(results, batchId, version, answer);
        session.send(Frame.of(answer));
        eventsProcessed += rows;
        resultsEmitted += results.rowCount();
        eventTime = instance.eventTime();
    }

    private void log(Frame batch, ColumnarBatch rows) {
        if (state == null) {
            return;
        }
        long newest = Long.MIN_VALUE;
        for (int r = 0; r < rows.rowCount(); r++) {
            newest = Math.max(newest, rows.timestamp(r));
        }
        try {
            state.logBatch(batch.bytes(), batch.length(), newest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot log input of operator '" + definition.name() + "' shard " + index, e);
        }
    }

    private void logAdvance(long clock, long sequence) {
        if (state != null) {
            try {
                state.logAdvance(clock, sequence);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot log input of operator '" + definition.name() + "' shard " + index, e);
            }
        }
    }

    // ---- checkpoints ----

    private void onBarrier(StreamSession session, long checkpointId) {
        session.barrier = checkpointId;
        takeCheckpointIfAligned();
    }

    /** Once every open stream has sent the same barrier, the shard's state is exactly that checkpoint's. */
    private void takeCheckpointIfAligned() {
        if (sessions.isEmpty()) {
            return;
        }
        long checkpointId = sessions.get(0).barrier;
        for (StreamSession session : sessions) {
            if (session.barrier == 0 || session.barrier != checkpointId) {
                return;
            }
        }
        byte[] handle;
        try {
            handle = state == null ? new byte[0]
                    : state.checkpoint(checkpointId, running.spec(), running.version(), instance,
                            running.compiled().stateHorizonMillis()).toByteArray();
        } catch (Exception e) {
            LOG.error("Checkpoint {} of operator {} shard {} failed", checkpointId, definition.name(), index, e);
            for (StreamSession session : List.copyOf(sessions)) {
                session.fail(Error.Code.OPERATOR_FAILED, "checkpoint " + checkpointId + " of operator '" + definition.name()
                        + "' shard " + index + " failed: " + e.getMessage(), 0);
                forget(session);
            }
            return;
        }
        FaultInjection.checkpointDurableAckNotSent();
        for (StreamSession session : List.copyOf(sessions)) {
            session.barrier = 0;
            session.send(HostFrame.newBuilder().setBarrierAck(BarrierAck.newBuilder()
                    .setCheckpointId(checkpointId)
                    .setHandle(com.google.protobuf.ByteString.copyFrom(handle))).build());
        }
        for (StreamSession session : List.copyOf(sessions)) {
            while (!session.held.isEmpty() && session.barrier == 0 && !session.closed) {
                Frame held = session.held.pollFirst();
                answerPending = true;
                try {
                    onBatch(session, held);
                } finally {
                    if (answerPending) {
                        answered(session);
                    }
                }
            }
        }
    }

    private void onCheckpointComplete(long checkpointId) {
        if (state != null) {
            try {
                state.release(checkpointId);
            } catch (IOException e) {
                LOG.warn("Releasing checkpoints before {} of operator {} shard {} failed", checkpointId, definition.name(), index, e);
            }
        }
    }

    private StateHandle epoch() {
        return sessions.isEmpty() ? null : sessions.get(0).restoredFrom;
    }

    // Streams still open from before are from a failed attempt of the job: they end here, and the
    // shard goes back to the checkpoint the new attempt restores from.
    private boolean restoreFrom(StreamSession opening, StateHandle handle) {
        for (StreamSession old : List.copyOf(sessions)) {
            old.fail(Error.Code.PROTOCOL, "superseded: the job restored operator '" + definition.name()
                    + "' from checkpoint " + handle.getCheckpointId(), 0);
            forget(old);
        }
        if (state == null) {
            opening.fail(Error.Code.PROTOCOL, "this host keeps no state (no state directory), so it cannot restore checkpoint "
                    + handle.getCheckpointId(), 0);
            return false;
        }
        try {
            ShardState.Restore restore = state.restore(handle);
            long stored = restore.meta().getVersion();
            OperatorInstance fresh = running.compiled().instantiate(
                    new ShardContext(definition.name(), index, definition.shards(), running.version()));
            // A checkpoint of another version (the job restores from before an update, or from after a
            // rollback) lands on the running version as that update would have: by replay, or empty.
            boolean carried = stored == running.version() || running.carriesState();
            if (carried) {
                restore.replay(fresh, new LogReplayer(fresh, definition));
            }
            instance.close();
            instance = fresh;
            eventTime = instance.eventTime();
            if (stored != running.version()) {
                lastSwap = "version " + running.version() + " restored from checkpoint " + handle.getCheckpointId()
                        + " of version " + stored + (carried ? ", state carried by replaying its input log" : ", started with empty state");
            }
            LOG.info("Operator {} shard {} restored checkpoint {} of version {} into version {}", definition.name(), index,
                    handle.getCheckpointId(), stored, running.version());
            return true;
        } catch (Exception e) {
            LOG.error("Operator {} shard {} could not restore checkpoint {}", definition.name(), index, handle.getCheckpointId(), e);
            opening.fail(Error.Code.OPERATOR_FAILED, "operator '" + definition.name() + "' shard " + index
                    + " could not restore checkpoint " + handle.getCheckpointId() + ": " + e.getMessage(), 0);
            return false;
        }
    }

    private void answered(StreamSession session) {
        answerPending = false;
        pendingBatches.decrementAndGet();
        session.answered();
    }

    private void checkKeys(ColumnarBatch batch) throws BatchFormatException {
        int shards = definition.shards();
        for (int r = 0; r < batch.rowCount(); r++) {
            int keyGroup = switch (keyKind) {
                case STRING -> KeyGroups.of(batch.getString(keyColumn, r));
                case LONG -> KeyGroups.of(batch.getLong(keyColumn, r));
                default -> KeyGroups.ofHash(batch.getInt(keyColumn, r));
            };
            if (KeyGroups.shardOf(keyGroup, shards) != index) {
                throw new BatchFormatException("row " + r + " has key '" + batch.getObject(keyColumn, r) + "' of key group "
                        + keyGroup + ", which shard " + KeyGroups.shardOf(keyGroup, shards) + " owns, not shard " + index);
            }
        }
    }

    private long lowestWatermark() {
        long lowest = Long.MAX_VALUE;
        for (StreamSession session : sessions) {
            lowest = Math.min(lowest, session.watermark);
        }
        return lowest;
    }

    private void onClose(StreamSession session, boolean clientCompleted) {
        if (clientCompleted) {
            session.complete();
        } else {
            session.abandon();
        }
        forget(session);
    }

    private void forget(StreamSession session) {
        sessions.remove(session);
        openStreams = sessions.size();
        takeCheckpointIfAligned();
    }

    private void onSwap(SwapRequest request) {
        OperatorInstance next = request.next();
        ShardVersion nextVersion = request.nextVersion();
        long start = System.nanoTime();
        long caughtUp = 0;
        String takenOver = "";
        try {
            if (request.carry() && request.replayedThrough() >= 0 && state != null) {
                LogReplayer replayer = new LogReplayer(next, definition);
                state.replay(state.logSince(request.replayedThrough(), Long.MIN_VALUE, 0).records(), replayer);
                caughtUp = replayer.batches();
            }
            if (request.carry()) {
                takenOver = next.takeOver(instance);
            }
        } catch (Exception e) {
            next.close();
            request.done().completeExceptionally(e);
            return;
        }
        if (!request.carry() && state != null) {
            // The new version has seen none of the logged input, so no checkpoint of it may replay that input.
            state.forgetLog();
        }
        OperatorInstance previous = instance;
        instance = next;
        running = nextVersion;
        version = nextVersion.version();
        lastSwapPauseMicros = (System.nanoTime() - start) / 1000;
        eventsAtLastSwap = eventsProcessed;
        String carried = !request.carry() ? ", started with empty state"
                : ", state carried" + (takenOver.isEmpty() ? "" : ": " + takenOver + ",")
                        + (request.replayedThrough() >= 0 ? " by replaying the input log (" + caughtUp + " batches at the switch)"
                                : takenOver.isEmpty() ? " (nothing to replay)" : " nothing else to replay");
        lastSwap = String.format(Locale.ROOT, "version %d active after a %.2f ms pause%s; %s", version,
                lastSwapPauseMicros / 1000.0, carried, request.preparation());
        FaultInjection.shardSwitched(index);
        request.done().complete(previous);
    }

    private void onStop(Error.Code code, String message, CompletableFuture<Void> done) {
        for (StreamSession session : List.copyOf(sessions)) {
            session.fail(code, message, 0);
        }
        sessions.clear();
        openStreams = 0;
        try {
            instance.close();
        } finally {
            worker.haltFromHandler();
            done.complete(null);
        }
    }
}
