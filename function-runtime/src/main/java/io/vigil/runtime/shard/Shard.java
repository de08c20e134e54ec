package io.vigil.runtime.shard;

import io.vigil.api.codec.SwapReports;
import io.vigil.runtime.logging.LifecycleLog;
import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.dsl.ProducerType;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.codec.IdleStateRetention;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.keys.RowKeys;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Opened;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.proto.StreamError;
import io.vigil.api.proto.SwapReport;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import io.vigil.batching.RingWorker;
import io.vigil.runtime.placement.PeerCheckpoints;
import io.vigil.runtime.state.ShardState;
import io.vigil.state.RecordAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of an operator: a range of key groups, the operator instance that holds their state,
 * and the one thread that runs it. Network threads hand it work through its ring; the thread
 * takes batches in arrival order per stream, holds their events until the watermark (the lowest
 * over its streams) passes them ({@link EventTimeBuffer}), feeds what it releases to the operator
 * in timestamp order, and answers each batch on the stream it came from with the results of what
 * that batch released. Checkpoints are {@link ShardCheckpoints}' concern, switching versions
 * {@link VersionSwitch}'s.
 */
public final class Shard implements EventHandler<ShardTask> {
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    private final OperatorDefinition definition;
    private final int index;
    private final io.vigil.api.proto.Schema outputSchemaProto;
    private final RingWorker<ShardTask> worker;
    private final ColumnarBatch input;
    private final ColumnarBatch released;
    private final EventTimeBuffer buffer;
    private final ColumnarBatch results;
    private final BatchDecoder decoder = new BatchDecoder();
    private final WireBuffer answer = new WireBuffer(64 << 10);
    private final RowKeys keys;
    private final List<StreamSession> sessions = new ArrayList<>();
    private final ActiveVersion active;
    private final ShardCheckpoints checkpoints;
    private final VersionSwitch versionSwitch;
    private final PlacementCutOver cutOver = new PlacementCutOver(sessions);
    private volatile long version;
    private final CrashLoop crashLoop = new CrashLoop(3, java.util.concurrent.TimeUnit.MINUTES.toNanos(5));
    private volatile long eventsProcessed;
    private volatile long resultsEmitted;
    private volatile int openStreams;
    private volatile long eventTime = Long.MIN_VALUE;
    private volatile int eventsHeld;
    private volatile long lateEvents;
    private volatile long watermark = Long.MIN_VALUE;
    private volatile boolean accepting = true;
    private volatile SwapReport lastSwap;
    private volatile String feed;
    private volatile long idleSince;
    private volatile long feedsReclaimed;
    private final long idleStateRetentionMillis;
    private final AtomicInteger pendingBatches = new AtomicInteger();
    private final Queue<Runnable> urgent = new ConcurrentLinkedQueue<>();
    private final CheckpointPauseRecorder pauses = new CheckpointPauseRecorder();
    private final ShardMeters meters;
    private final ShardJournal journal;
    // Rows of the batch being processed, for its metrics.
    private int batchRows;
    private final BusyTime busy = new BusyTime();
    private boolean answerPending;
    // The streams of the current feed that completed: their watermark is the end of input.
    private int finishedStreams;
    private int expectedStreams;

    /** @param state where checkpoints go, or null when the host keeps no state */
    /** @param peers where the shard reads the checkpoints of the shards it took key groups from, after a rescale */
    public Shard(OperatorDefinition definition, int index, ShardVersion running, OperatorInstance instance, int ringSize,
                 ClassLoader operatorClassLoader, ShardState state, PeerCheckpoints peers, ShardMeters meters) {
        this.meters = meters;
        this.journal = new ShardJournal(index);
        this.definition = definition;
        this.index = index;
        this.active = new ActiveVersion(running, instance);
        this.version = running.version();
        this.buffer = new EventTimeBuffer(definition.input());
        this.checkpoints = new ShardCheckpoints(definition, index, state, active, sessions, this::forget, this::processBatch,
                report -> {
                    lastSwap = report;
                    journal.swapped(report);
                    if (report.getCause() == io.vigil.api.proto.SwapReport.Cause.RESCALE) {
                        meters.swapPause(report.getPauseMicros());
                    }
                }, buffer, this::runFirst, nanos -> {
                    pauses.recordValue(nanos);
                    meters.checkpointPause(nanos);
                }, peers, journal);
        this.versionSwitch = new VersionSwitch(active, checkpoints);
        this.outputSchemaProto = SchemaProtos.toProto(definition.output());
        EventSchema inputSchema = definition.input();
        this.input = new ColumnarBatch(inputSchema, 1024);
        this.released = new ColumnarBatch(inputSchema, 1024);
        this.results = new ColumnarBatch(definition.output(), 256);
        this.idleStateRetentionMillis = IdleStateRetention.millis(definition.options());
        this.keys = new RowKeys(inputSchema, definition.keyField());
        this.worker = new RingWorker<>("vigil-" + definition.name() + "-shard-" + index, ShardTask::new, ringSize,
                ProducerType.MULTI, new BlockingWaitStrategy(), this,
                e -> LOG.error("Shard {} of operator {} let an exception escape its task loop", index, definition.name(), e));
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
        long idle = idleSince;
        return new ShardStats(index, version, eventsProcessed, resultsEmitted, openStreams, eventTime, pendingBatches.get(),
                eventsHeld, lateEvents, watermark, feed, idle == 0 ? 0 : Math.max(1, System.currentTimeMillis() - idle), feedsReclaimed,
                pauses.summary(), busy.fraction(), checkpoints.stateBytes());
    }

    /** How far back in event time the running version's state reaches. */
    public long stateHorizonMillis() {
        return active.version().compiled().stateHorizonMillis();
    }

    /** The shard's recent swaps and checkpoints. */
    public ShardJournal journal() {
        return journal;
    }

    /** How the version this shard runs came to run it; null before any swap or restore into another version. */
    public SwapReport lastSwap() {
        return lastSwap;
    }

    // ---- called by network and control threads ----

    public void open(StreamSession session, StateHandle restore) {
        worker.ring().publishEvent(ShardTask::open, session, restore);
    }

    /** @param emittedThrough the last batch whose answer the client had passed on when it sent the barrier */
    public void barrier(StreamSession session, long checkpointId, long emittedThrough) {
        worker.ring().publishEvent(ShardTask::barrier, session, checkpointId, emittedThrough);
    }

    public void checkpointComplete(StreamSession session, long checkpointId) {
        worker.ring().publishEvent(ShardTask::checkpointComplete, session, checkpointId);
    }

    /**
     * The operator moves to {@code next} while its job runs: asks this shard's streams where their
     * clients can cut over, and tells them the checkpoint to cut at once all have answered.
     * Completes once every stream has gone.
     */
    public CompletableFuture<Void> cutOver(Placement next) {
        CompletableFuture<Void> moved = new CompletableFuture<>();
        runFirst(() -> cutOver.begin(next).whenComplete((done, failure) -> moved.complete(null)));
        return moved;
    }

    /** A stream's answer to {@link #cutOver}: its client can cut at checkpoint {@code nextBarrier} or later. */
    public void placementReady(StreamSession session, long epoch, long nextBarrier) {
        runFirst(() -> cutOver.ready(session, epoch, nextBarrier));
    }

    public void batch(StreamSession session, Frame batch) {
        pendingBatches.incrementAndGet();
        worker.ring().publishEvent(ShardTask::batch, session, batch);
    }

    public void closeStream(StreamSession session, boolean clientCompleted) {
        worker.ring().publishEvent(ShardTask::closeStream, session, clientCompleted);
    }

    /**
     * Reclaims the state of the feed the shard holds if none of its streams has been open for the
     * operator's idle-state retention; any thread. Its checkpoints stay in the store.
     */
    public void reclaimIfIdle(long nowMillis) {
        long idle = idleSince;
        if (idle != 0 && nowMillis - idle >= idleStateRetentionMillis) {
            runFirst(this::onReclaim);
        }
    }

    public void failStream(StreamSession session, StreamError.Code code, String message) {
        worker.ring().publishEvent(ShardTask::failStream, session, code, message);
    }

    /**
     * Switches to {@code next} at the next batch boundary; completes once it is active. When
     * {@code replayedThrough} is not negative, {@code next} has already been fed the input log up
     * to that serial off the hot path, and the shard feeds it the rest before switching. Completes
     * with the instance replaced, which the caller closes.
     *
     * @param preparation what preparing {@code next} took (compile and replay figures), for the report
     */
    public CompletableFuture<OperatorInstance> swap(OperatorInstance next, ShardVersion nextVersion, boolean carry,
                                                    long replayedThrough, SwapReport preparation) {
        SwapRequest request = new SwapRequest(next, nextVersion, carry, replayedThrough, preparation, new CompletableFuture<>());
        runFirst(() -> onSwap(request));
        return request.done();
    }

    /**
     * The input log after a serial (-1: all of it within {@code horizonMillis} of the shard's clock),
     * for a new version to replay off the hot path; null when the host keeps none.
     */
    public CompletableFuture<ShardState.LogSnapshot> logSince(long afterSerial, long horizonMillis) {
        CompletableFuture<ShardState.LogSnapshot> reply = new CompletableFuture<>();
        runFirst(() -> reply.complete(checkpoints.logSince(afterSerial, horizonMillis)));
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
        return checkpoints.replayInto(target, records);
    }

    /** The instance running now, for an update to prepare the one replacing it (which must not touch its state). */
    public OperatorInstance runningInstance() {
        return active.instance();
    }

    /**
     * Finishes everything already in the ring, then ends the streams still open with
     * {@code code}/{@code message}, closes the instance and stops the thread.
     */
    public CompletableFuture<Void> stop(StreamError.Code code, String message) {
        accepting = false;
        CompletableFuture<Void> done = new CompletableFuture<>();
        worker.ring().publishEvent(ShardTask::stop, code, message, done);
        return done;
    }

    public boolean awaitStopped(long millis) throws InterruptedException {
        return worker.join(millis);
    }

    // ---- the shard thread ----

    /** Takes a reading of how busy the shard's thread was since the last; the host calls it about once a second. */
    public void sampleBusy() {
        busy.sample(System.nanoTime());
    }

    @Override
    public void onEvent(ShardTask task, long sequence, boolean endOfBatch) {
        long started = System.nanoTime();
        try {
            handle(task);
        } finally {
            busy.add(System.nanoTime() - started);
        }
    }

    private void handle(ShardTask task) {
        Runnable first;
        while ((first = urgent.poll()) != null) {
            first.run();
        }
        try {
            switch (task.kind) {
                case OPEN -> onOpen(task.session, task.restore);
                case BARRIER -> checkpoints.barrier(task.session, task.checkpointId, task.emittedThrough);
                case CHECKPOINT_COMPLETE -> checkpoints.completed(task.checkpointId);
                case BATCH -> processBatch(task.session, task.batch);
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
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("Shard {} of operator {} failed handling {}", index, definition.name(), task.kind, e);
            if (task.kind == ShardTask.Kind.BATCH) {
                crashLoop.failed(version, System.nanoTime(), e.toString());
            }
            if (task.session != null) {
                task.session.fail(StreamError.Code.OPERATOR_FAILED, "operator '" + definition.name() + "' shard " + index
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
        String crashing = crashLoop.refusal(version, System.nanoTime());
        if (crashing != null) {
            session.fail(StreamError.Code.OPERATOR_FAILED, "operator '" + definition.name() + "' shard " + index + ": " + crashing, 0);
            return;
        }
        String before = checkpoints.feed();
        if (!checkpoints.open(session, restore)) {
            return;
        }
        if (!session.feed().equals(before) || sessions.isEmpty() && restore != null) {
            finishedStreams = 0;
            expectedStreams = 0;
        }
        expectedStreams = Math.max(expectedStreams, session.streams());
        eventTime = active.instance().eventTime();
        sessions.add(session);
        openStreams = sessions.size();
        feed = session.feed();
        idleSince = 0;
        session.send(HostFrame.newBuilder().setOpened(Opened.newBuilder()
                .setVersion(version)
                .setCredits(session.credits())
                .setOutputSchema(outputSchemaProto)
                .setStoreIncarnation(checkpoints.storeIncarnation())
                .setHandleSeal(checkpoints.handleSeal(session))
                .addAllKeptResults(checkpoints.keptResultsFor(session))).build());
        cutOver.opened(session);
        LifecycleLog.event("stream-opened").operator(definition.name()).shard(index).version(version).with("client", session.client())
                .with("job", session.job()).with("feed", session.feed()).with("restored", restore == null ? null : restore.getCheckpointId())
                .info();
    }

    /** A batch from the ring, or one held back until its checkpoint was taken; answered in any case but when it is held again. */
    private void processBatch(StreamSession session, Frame batch) {
        answerPending = true;
        long started = System.nanoTime();
        batchRows = 0;
        try {
            onBatch(session, batch);
        } finally {
            if (answerPending) {
                answered(session);
            }
            meters.batch(System.nanoTime() - started, batchRows);
        }
    }

    private void onBatch(StreamSession session, Frame batch) {
        if (session.closed) {
            return;
        }
        if (checkpoints.holds(session, batch)) {
            answerPending = false;
            return;
        }
        input.clear();
        results.clear();
        try {
            decoder.events(batch.bytes(), batch.length(), input);
            checkKeys(input);
        } catch (BatchFormatException e) {
            session.fail(StreamError.Code.BAD_BATCH, "batch " + decoder.id() + " for operator '" + definition.name()
                    + "' rejected: " + e.getMessage(), decoder.id());
            forget(session);
            return;
        }
        long batchId = decoder.id();
        int rows = input.rowCount();
        batchRows = rows;
        if (rows > 0) {
            session.lastSequence = input.sequence(rows - 1);
            buffer.hold(session, input);
            lateEvents = buffer.lateCount();
        }
        if (decoder.hasWatermark() && decoder.watermark() > session.watermark) {
            session.watermark = decoder.watermark();
        }
        releaseDue(session.lastSequence);
        // The credit returns with the answer, so count the batch as answered before sending it.
        answered(session);
        BatchEncoder.results(results, batchId, version, answer);
        if (!results.isEmpty() && !session.answers.record(batchId, answer.array(), answer.length())) {
            session.fail(StreamError.Code.PROTOCOL, "operator '" + definition.name() + "' shard " + index + " keeps more than "
                    + (UnpassedAnswers.MOST_BYTES >> 20) + " MiB of results for stream " + session.client()
                    + " since its last barrier: checkpoints are too far apart for this operator's output", batchId);
            forget(session);
            return;
        }
        session.send(Frame.of(answer));
        resultsEmitted += results.rowCount();
        eventsHeld = buffer.heldCount();
    }

    /**
     * Feeds the operator every held event the shard's watermark has passed, in timestamp order,
     * then moves its clock to the watermark; both go to the input log first, as the instance sees them.
     */
    private void releaseDue(long sequence) {
        long lowest = lowestWatermark();
        if (lowest == Long.MIN_VALUE || lowest <= buffer.releasedThrough()) {
            return;
        }
        OperatorInstance instance = active.instance();
        released.clear();
        buffer.release(lowest, released);
        if (!released.isEmpty()) {
            checkpoints.logReleased(released);
            instance.process(released, results);
            eventsProcessed += released.rowCount();
        }
        if (lowest > instance.eventTime()) {
            checkpoints.logAdvance(lowest, sequence);
            instance.advanceTime(lowest, sequence, results);
        }
        watermark = lowest;
        eventTime = instance.eventTime();
    }

    private void answered(StreamSession session) {
        answerPending = false;
        pendingBatches.decrementAndGet();
        session.answered();
    }

    private void checkKeys(ColumnarBatch batch) throws BatchFormatException {
        int shards = definition.shards();
        for (int r = 0; r < batch.rowCount(); r++) {
            int keyGroup = keys.keyGroup(batch, r);
            if (KeyGroups.shardOf(keyGroup, shards) != index) {
                throw new BatchFormatException("row " + r + " has key '" + keys.key(batch, r) + "' of key group "
                        + keyGroup + ", which shard " + KeyGroups.shardOf(keyGroup, shards) + " owns, not shard " + index);
            }
        }
    }

    /** The lowest watermark over the feed's streams; none until every stream the feed announced has opened. */
    private long lowestWatermark() {
        if (sessions.size() + finishedStreams < expectedStreams) {
            return Long.MIN_VALUE;
        }
        long lowest = Long.MAX_VALUE;
        for (StreamSession session : sessions) {
            lowest = Math.min(lowest, session.watermark);
        }
        return lowest;
    }

    private void onClose(StreamSession session, boolean clientCompleted) {
        if (clientCompleted) {
            if (session.watermark == Long.MAX_VALUE) {
                finishedStreams++;
            }
            session.complete();
        } else {
            session.abandon();
        }
        forget(session);
    }

    private void forget(StreamSession session) {
        sessions.remove(session);
        buffer.streamClosed(session);
        openStreams = sessions.size();
        if (sessions.isEmpty() && feed != null) {
            idleSince = System.currentTimeMillis();
        }
        checkpoints.takeIfAligned();
        cutOver.streamGone();
    }

    private void onReclaim() {
        long idle = idleSince;
        if (!sessions.isEmpty() || idle == 0 || System.currentTimeMillis() - idle < idleStateRetentionMillis) {
            return;
        }
        String reclaimed = feed;
        try {
            checkpoints.reclaim();
        } catch (Exception e) {
            LOG.error("Operator {} shard {} could not reclaim the state of feed {}", definition.name(), index, reclaimed, e);
            return;
        }
        finishedStreams = 0;
        expectedStreams = 0;
        feed = null;
        idleSince = 0;
        feedsReclaimed++;
        eventTime = active.instance().eventTime();
        watermark = Long.MIN_VALUE;
        eventsHeld = buffer.heldCount();
        LOG.info("event=feed-state-reclaimed operator={} shard={} feed={} idle-state-retention-ms={}", definition.name(), index,
                reclaimed, idleStateRetentionMillis);
    }

    private void onSwap(SwapRequest request) {
        try {
            VersionSwitch.Switched switched = versionSwitch.apply(request, eventsProcessed);
            version = request.nextVersion().version();
            lastSwap = switched.report();
            journal.swapped(lastSwap);
            meters.swapPause(lastSwap.getPauseMicros());
            LifecycleLog.event("swap").operator(definition.name()).shard(index).version(version)
                    .with("pauseMicros", lastSwap.getPauseMicros()).with("report", SwapReports.describe(lastSwap)).info();
            FaultInjection.shardSwitched(index);
            request.done().complete(switched.replaced());
        } catch (Exception e) {
            LOG.error("Shard {} of operator {} failed switching to version {}", index, definition.name(),
                    request.nextVersion().version(), e);
            request.done().completeExceptionally(e);
        }
    }

    private void onStop(StreamError.Code code, String message, CompletableFuture<Void> done) {
        for (StreamSession session : List.copyOf(sessions)) {
            session.fail(code, message, 0);
        }
        sessions.clear();
        openStreams = 0;
        try {
            active.instance().close();
        } finally {
            worker.haltFromHandler();
            done.complete(null);
        }
    }
}
