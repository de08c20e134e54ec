package io.vigil.runtime.shard;

import io.vigil.runtime.logging.LifecycleLog;
import com.google.protobuf.ByteString;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.proto.BarrierAck;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.KeptResults;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.proto.StreamError;
import io.vigil.api.proto.SwapReport;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import io.vigil.api.proto.CheckpointRecord;
import io.vigil.api.proto.ShardCheckpoint;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.runtime.placement.MergedLogs;
import io.vigil.runtime.placement.PeerCheckpoints;
import io.vigil.runtime.state.ShardState;
import io.vigil.state.RecordAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shard's checkpoints: the input log it appends as it processes, barriers aligned across its
 * streams, the durable commit and its acknowledgement, the release of older checkpoints, and the
 * restore of one. Owns the shard's state in the store and the batches each stream sent after a
 * barrier the shard has not yet taken. Shard thread only, but for {@link #replayInto}.
 */
final class ShardCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(ShardCheckpoints.class);

    /**
     * One stream's part in alignment: the barrier it sent that the shard has not yet taken, and what
     * it sent after it (batches, at most its credits, and the barriers of later checkpoints).
     */
    static final class Alignment {
        private long barrier;
        // The last batch whose answer the client had passed on when it sent the barrier.
        private long emittedThrough;
        private final ArrayDeque<Held> held = new ArrayDeque<>();
    }

    /** A batch, or the barrier of a later checkpoint, that a stream sent after a barrier the shard has not yet taken. */
    private record Held(Frame batch, long barrier, long emittedThrough) {
    }

    private final OperatorDefinition definition;
    private final int index;
    private final ShardState state;
    private final ActiveVersion active;
    private final List<StreamSession> sessions;
    private final Consumer<StreamSession> forget;
    private final BiConsumer<StreamSession, Frame> batchPath;
    private final Consumer<SwapReport> restored;
    private final EventTimeBuffer buffer;
    private final Consumer<Runnable> onShardThread;
    private final LongConsumer pauses;
    private final ShardJournal journal;
    private final WireBuffer wire = new WireBuffer(64 << 10);
    private String feed;
    private String job;
    private String jobCaller;
    // The checkpoint the feed's streams restored from, and the answers it kept that streams of the
    // feed have not yet been handed.
    private StateHandle restoredFrom;
    // Or, after a rescale, the checkpoints of the shards it took its key groups from.
    private List<StateHandle> rescaledFrom = List.of();
    private final PeerCheckpoints peers;
    private final List<KeptResults> keptForFeed = new ArrayList<>();

    /**
     * @param state     the shard's state in the store, or null when the host keeps none
     * @param sessions  the shard's open streams, as the shard keeps them
     * @param forget    drops a stream the checkpoint ended from the shard
     * @param batchPath processes a batch held back until its checkpoint was taken
     * @param restored  receives the report of a restore into another version than the checkpoint's
     * @param buffer    the events the shard holds for the watermark, part of every checkpoint
     * @param onShardThread runs work on the shard's thread before its next task (an acknowledgement, once durable)
     * @param pauses    receives how long each checkpoint held the shard, in nanoseconds
     * @param peers     reads the checkpoints of the shards this one took key groups from, after a rescale
     * @param journal   where each checkpoint's timings go, for the console
     */
    ShardCheckpoints(OperatorDefinition definition, int index, ShardState state, ActiveVersion active,
                     List<StreamSession> sessions, Consumer<StreamSession> forget, BiConsumer<StreamSession, Frame> batchPath,
                     Consumer<SwapReport> restored, EventTimeBuffer buffer, Consumer<Runnable> onShardThread, LongConsumer pauses,
                     PeerCheckpoints peers, ShardJournal journal) {
        this.peers = peers;
        this.journal = journal;
        this.buffer = buffer;
        this.onShardThread = onShardThread;
        this.pauses = pauses;
        this.definition = definition;
        this.index = index;
        this.state = state;
        this.active = active;
        this.sessions = sessions;
        this.forget = forget;
        this.batchPath = batchPath;
        this.restored = restored;
    }

    // ---- the input log ----

    /** Appends the events the watermark released, in the order the instance is about to see them, to the input log. */
    void logReleased(ColumnarBatch rows) {
        if (state == null || rows.isEmpty()) {
            return;
        }
        BatchEncoder.events(rows, 0, false, 0, wire);
        try {
            state.logBatch(wire.array(), wire.length(), rows.timestamp(rows.rowCount() - 1));
        } catch (IOException e) {
            throw cannotLog(e);
        }
    }

    /** Appends a clock advance to the input log. */
    void logAdvance(long clock, long sequence) {
        if (state == null) {
            return;
        }
        try {
            state.logAdvance(clock, sequence);
        } catch (IOException e) {
            throw cannotLog(e);
        }
    }

    private UncheckedIOException cannotLog(IOException e) {
        return new UncheckedIOException("cannot log input of operator '" + definition.name() + "' shard " + index, e);
    }

    /** The input log after a serial (-1: all of it within {@code horizonMillis} of the clock); null when the host keeps none. */
    ShardState.LogSnapshot logSince(long afterSerial, long horizonMillis) {
        return state == null ? null : state.logSince(afterSerial, active.instance().eventTime(), horizonMillis);
    }

    /** Replays logged records into an instance on the calling thread; returns the batches replayed. */
    long replayInto(OperatorInstance target, List<RecordAddress> records) throws Exception {
        LogReplayer replayer = new LogReplayer(target, definition, null);
        state.replay(records, replayer);
        return replayer.batches();
    }

    /** At a switch: replays into {@code next} what was logged after {@code serial}; returns the batches replayed. */
    long replayRestInto(OperatorInstance next, long serial) throws Exception {
        return state == null ? 0 : replayInto(next, state.logSince(serial, Long.MIN_VALUE, 0).records());
    }

    /** A version that starts with empty state has seen none of the logged input, so no later checkpoint may replay it. */
    void forgetLog() {
        if (state != null) {
            state.forgetLog();
        }
    }

    // ---- alignment ----

    /** Holds a batch sent after a barrier the shard has not yet taken: it belongs to the next checkpoint. */
    boolean holds(StreamSession session, Frame batch) {
        if (session.alignment.barrier == 0) {
            return false;
        }
        session.alignment.held.addLast(new Held(batch, 0, 0));
        return true;
    }

    void barrier(StreamSession session, long checkpointId, long emittedThrough) {
        Alignment alignment = session.alignment;
        if (alignment.barrier != 0) {
            // Overlapping checkpoints: this one's state follows what the stream sent before it, still held.
            alignment.held.addLast(new Held(null, checkpointId, emittedThrough));
            return;
        }
        alignment.barrier = checkpointId;
        alignment.emittedThrough = emittedThrough;
        takeIfAligned();
    }

    /**
     * Once every open stream has sent the same barrier, the shard's state is exactly that
     * checkpoint's. A stream that sent a later barrier will never send an earlier one (Flink's
     * barriers only increase, and a task skips a checkpoint only when Flink aborts it), so the
     * streams waiting at an earlier one go on to their next barrier, as Flink's own alignment does
     * when a later barrier overtakes an unfinished one.
     */
    void takeIfAligned() {
        long latest;
        do {
            latest = latestBarrier();
        } while (latest != 0 && abandonBefore(latest));
        long checkpointId = latest;
        if (checkpointId == 0) {
            return;
        }
        for (StreamSession session : sessions) {
            if (session.alignment.barrier != checkpointId) {
                return;
            }
        }
        long started = System.nanoTime();
        // Taken with or without a store: the streams' answers up to the barrier are forgotten either way.
        List<KeptResults> kept = unpassedAnswers();
        CompletableFuture<StateHandle> durable;
        long version = active.version().version();
        try {
            ShardVersion running = active.version();
            if (state == null) {
                durable = CompletableFuture.completedFuture(null);
            } else {
                durable = FaultInjection.slowDurability(state.checkpoint(job, checkpointId, running.version(), active.instance(),
                        running.compiled().stateHorizonMillis(), buffer.held(), buffer.releasedThrough(), kept));
            }
        } catch (Exception e) {
            journal.checkpointFailed(checkpointId, version, System.nanoTime() - started, System.nanoTime() - started, e);
            failCheckpoint(checkpointId, List.copyOf(sessions), e);
            return;
        }
        List<StreamSession> aligned = List.copyOf(sessions);
        for (StreamSession session : aligned) {
            session.alignment.barrier = 0;
        }
        // The state at the barrier is written; the shard goes on while the store makes it durable.
        long pause = System.nanoTime() - started;
        pauses.accept(pause);
        Checkpointed taken = new Checkpointed(checkpointId, version, started, pause);
        if (durable.isDone()) {
            acknowledge(taken, aligned, durable);
        } else {
            durable.whenComplete((handle, failure) -> onShardThread.accept(() -> acknowledge(taken, aligned, durable)));
        }
        for (StreamSession session : aligned) {
            release(session, 0);
        }
        takeIfAligned();
    }

    private long latestBarrier() {
        long latest = 0;
        for (StreamSession session : sessions) {
            latest = Math.max(latest, session.alignment.barrier);
        }
        return latest;
    }

    /** Lets the streams waiting at a barrier before {@code checkpointId} go on; true when there were any. */
    private boolean abandonBefore(long checkpointId) {
        boolean any = false;
        for (StreamSession session : List.copyOf(sessions)) {
            long waitingAt = session.alignment.barrier;
            if (waitingAt != 0 && waitingAt < checkpointId) {
                LOG.info("Checkpoint {} of operator {} shard {} abandoned: another stream of the shard went on to checkpoint {}",
                        waitingAt, definition.name(), index, checkpointId);
                session.alignment.barrier = 0;
                release(session, checkpointId);
                any = true;
            }
        }
        return any;
    }

    /**
     * Processes what {@code session} sent after the barrier it waited at, up to its next barrier
     * (which it then waits at); barriers before {@code skipBefore} are passed over.
     */
    private void release(StreamSession session, long skipBefore) {
        Alignment alignment = session.alignment;
        while (!alignment.held.isEmpty() && alignment.barrier == 0 && !session.closed) {
            Held next = alignment.held.pollFirst();
            if (next.batch() != null) {
                batchPath.accept(session, next.batch());
            } else if (next.barrier() >= skipBefore) {
                alignment.barrier = next.barrier();
                alignment.emittedThrough = next.emittedThrough();
            }
        }
    }

    /** A checkpoint written at its barrier: when it started, and how long it held the shard. */
    private record Checkpointed(long id, long version, long startedNanos, long pauseNanos) {
    }

    private void acknowledge(Checkpointed taken, List<StreamSession> aligned, CompletableFuture<StateHandle> durable) {
        long checkpointId = taken.id();
        StateHandle handle;
        try {
            handle = durable.join();
        } catch (CompletionException e) {
            journal.checkpointFailed(checkpointId, taken.version(), taken.pauseNanos(), System.nanoTime() - taken.startedNanos(),
                    e.getCause());
            failCheckpoint(checkpointId, aligned, e.getCause());
            return;
        }
        journal.checkpointed(checkpointId, taken.version(), taken.pauseNanos(), System.nanoTime() - taken.startedNanos(), stateBytes());
        FaultInjection.checkpointDurableAckNotSent();
        HostFrame ack = HostFrame.newBuilder().setBarrierAck(BarrierAck.newBuilder()
                .setCheckpointId(checkpointId).setHandle(handle == null ? ByteString.EMPTY : handle.toByteString())).build();
        for (StreamSession session : aligned) {
            session.send(ack);
        }
    }

    private void failCheckpoint(long checkpointId, List<StreamSession> aligned, Throwable e) {
        LifecycleLog.event("checkpoint-failed").operator(definition.name()).shard(index).version(active.version().version())
                .with("checkpoint", checkpointId).with("cause", String.valueOf(e)).error(e);
        for (StreamSession session : aligned) {
            if (!session.closed) {
                session.fail(StreamError.Code.OPERATOR_FAILED, "checkpoint " + checkpointId + " of operator '" + definition.name()
                        + "' shard " + index + " failed: " + e.getMessage(), 0);
                forget.accept(session);
            }
        }
    }

    /** Per stream, the answers its client had not passed on at the barrier: a restore hands them back. */
    private List<KeptResults> unpassedAnswers() {
        List<KeptResults> kept = new ArrayList<>();
        for (StreamSession session : sessions) {
            if (session.answers.keeps()) {
                List<ByteString> frames = session.answers.passedThrough(session.alignment.emittedThrough);
                if (!frames.isEmpty()) {
                    kept.add(KeptResults.newBuilder().setStreamIndex(session.streamIndex()).setStreams(session.streams())
                            .addAllFrames(frames).build());
                }
            }
        }
        return kept;
    }

    /** The store's incarnation, for clients to name checkpoints by; 0 when the host keeps no state. */
    long storeIncarnation() {
        return state == null ? 0 : state.storeIncarnation();
    }

    /** Bytes of state the shard's latest checkpoint holds; 0 when the host keeps no state. */
    long stateBytes() {
        return state == null ? 0 : state.checkpointBytes();
    }

    /** The seal the handles of {@code session}'s job carry; empty when the host keeps no state. */
    ByteString handleSeal(StreamSession session) {
        return state == null ? ByteString.EMPTY : state.handleSeal(session.job());
    }

    /**
     * The answers the restored checkpoint kept for {@code session}'s stream (and for streams of the
     * checkpointed feed that this feed, with fewer streams, no longer has); each handed out once.
     */
    List<ByteString> keptResultsFor(StreamSession session) {
        List<ByteString> frames = new ArrayList<>();
        keptForFeed.removeIf(kept -> {
            if (kept.getStreamIndex() % session.streams() != session.streamIndex()) {
                return false;
            }
            frames.addAll(kept.getFramesList());
            return true;
        });
        return frames;
    }

    /** Flink completed {@code checkpointId}: older checkpoints of this shard may go. */
    void completed(long checkpointId) {
        if (state == null) {
            return;
        }
        try {
            state.release(checkpointId);
        } catch (IOException e) {
            LOG.warn("Releasing checkpoints before {} of operator {} shard {} failed", checkpointId, definition.name(), index, e);
        }
    }

    // ---- restore ----

    /**
     * A stream opens, restoring {@code handle} (or null). A handle other than the one the open
     * streams restored from is a new attempt of the job: the streams still open from before end
     * here, and the shard goes back to that checkpoint. False when the opening stream failed.
     */
    boolean open(StreamSession opening, StateHandle handle) {
        if (!sessions.isEmpty() && !opening.job().equals(job)) {
            opening.fail(StreamError.Code.OPERATOR_BUSY, "operator '" + definition.name() + "' shard " + index + " is fed by job "
                    + job + " (" + sessions.size() + " streams open), and an operator's state serves one job at a time: job "
                    + opening.job() + " may feed it once that job has ended, or deploy the operator again under another name", 0);
            return false;
        }
        if (!sessions.isEmpty() && !opening.caller().equals(jobCaller)) {
            // Its barriers would hold the job's checkpoints: a job is fed by the one caller that opened it.
            opening.fail(StreamError.Code.OPERATOR_BUSY, "operator '" + definition.name() + "' shard " + index + " is fed by job "
                    + job + " of another caller (" + sessions.size() + " streams open); only that caller's streams join it", 0);
            return false;
        }
        boolean sameFeed = opening.feed().equals(feed);
        List<StateHandle> sources = opening.rescaledFrom();
        if (handle != null && !(sameFeed && handle.equals(restoredFrom)) && !restore(opening, handle)) {
            return false;
        }
        if (handle == null && !sources.isEmpty() && !(sameFeed && sources.equals(rescaledFrom)) && !restoreRescaled(opening, sources)) {
            return false;
        }
        boolean fresh = handle == null && sources.isEmpty();
        if (fresh && !sameFeed && !startOver(opening)) {
            return false;
        }
        if (!sameFeed && fresh) {
            restoredFrom = null;
            rescaledFrom = List.of();
            keptForFeed.clear();
        }
        feed = opening.feed();
        job = opening.job();
        jobCaller = opening.caller();
        return true;
    }

    /** The feed whose state the shard holds: the one its streams belong to; null when none does. */
    String feed() {
        return feed;
    }

    /**
     * A job that opens the shard with no checkpoint to restore starts from nothing, as it would in
     * the language's own runtime: a fresh instance, a fresh clock, no held events. The state of
     * the job before it is not this job's input.
     */
    private boolean startOver(StreamSession opening) {
        for (StreamSession old : List.copyOf(sessions)) {
            old.fail(StreamError.Code.PROTOCOL, "superseded: another attempt (" + opening.feed() + ") started feeding operator '"
                    + definition.name() + "' shard " + index + " from no checkpoint", 0);
            forget.accept(old);
        }
        try {
            startAfresh();
            return true;
        } catch (Exception e) {
            LOG.error("Operator {} shard {} could not start a fresh instance", definition.name(), index, e);
            opening.fail(StreamError.Code.OPERATOR_FAILED, "operator '" + definition.name() + "' shard " + index
                    + " could not start afresh for a job with no checkpoint: " + e.getMessage(), 0);
            return false;
        }
    }

    /**
     * Drops the state the shard holds for a feed whose streams have all been away longer than the
     * operator's idle-state retention; its checkpoints stay in the store, so a restore still works.
     */
    void reclaim() throws Exception {
        startAfresh();
        feed = null;
        job = null;
        restoredFrom = null;
        rescaledFrom = List.of();
        keptForFeed.clear();
    }

    private void startAfresh() throws Exception {
        OperatorInstance running = active.instance();
        if (running.eventTime() == Long.MIN_VALUE && buffer.heldCount() == 0 && buffer.releasedThrough() == Long.MIN_VALUE) {
            return;
        }
        ShardVersion version = active.version();
        OperatorInstance fresh = version.compiled().instantiate(
                new ShardContext(definition.name(), index, definition.shards(), version.version()));
        active.replace(fresh, version).close();
        buffer.reset();
        forgetLog();
    }

    /**
     * The streams still open from before end, the job having restored {@code what}; false, with the
     * opening stream failed, when this host keeps no state to restore from.
     */
    private boolean supersededBy(StreamSession opening, String what) {
        for (StreamSession old : List.copyOf(sessions)) {
            old.fail(StreamError.Code.PROTOCOL, "superseded: the job restored operator '" + definition.name() + "' from " + what, 0);
            forget.accept(old);
        }
        if (state == null) {
            opening.fail(StreamError.Code.PROTOCOL, "this host keeps no state (no state directory), so it cannot restore " + what, 0);
            return false;
        }
        return true;
    }

    private boolean restore(StreamSession opening, StateHandle handle) {
        if (!supersededBy(opening, "checkpoint " + handle.getCheckpointId())) {
            return false;
        }
        try {
            ShardState.Restore restore = state.restore(handle);
            ShardVersion running = active.version();
            long stored = restore.meta().getVersion();
            OperatorInstance fresh = running.compiled().instantiate(
                    new ShardContext(definition.name(), index, definition.shards(), running.version()));
            // A checkpoint of another version (the job restores from before an update, or from after a
            // rollback) lands on the running version as that update would have: by replay, or empty.
            boolean carried = stored == running.version() || running.carriesState();
            buffer.reset();
            LogReplayer replayer = new LogReplayer(fresh, definition, buffer);
            if (carried) {
                restore.replay(fresh, replayer);
            } else {
                restore.replayHeld(replayer);
            }
            active.replace(fresh, running).close();
            restoredFrom = handle;
            rescaledFrom = List.of();
            keptForFeed.clear();
            keptForFeed.addAll(restore.keptResults());
            if (stored != running.version()) {
                restored.accept(SwapReport.newBuilder()
                        .setCause(SwapReport.Cause.RESTORE)
                        .setVersion(running.version())
                        .setFromVersion(stored)
                        .setRestoredCheckpoint(handle.getCheckpointId())
                        .setStateCarried(carried)
                        .setReplayed(carried)
                        .build());
            }
            LifecycleLog.event("restore").operator(definition.name()).shard(index).version(running.version())
                    .with("checkpoint", handle.getCheckpointId()).with("checkpointVersion", stored).with("job", handle.getJob()).info();
            return true;
        } catch (Exception e) {
            LOG.error("Operator {} shard {} could not restore checkpoint {}", definition.name(), index, handle.getCheckpointId(), e);
            opening.fail(StreamError.Code.OPERATOR_FAILED, "operator '" + definition.name() + "' shard " + index
                    + " could not restore checkpoint " + handle.getCheckpointId() + ": " + e.getMessage(), 0);
            return false;
        }
    }

    /**
     * After a rescale: starts a fresh instance from the checkpoints of the shards this one took key
     * groups from, each read for this shard's key groups only (from this host's store, or from the
     * host that took it). Logged input is merged in event-time order, replayed and logged anew;
     * native state comes whole from a shard moved as it was, else key group by key group; held
     * events are merged; each source's kept answers come back through the one new shard that owns
     * that source's first key group.
     */
    private boolean restoreRescaled(StreamSession opening, List<StateHandle> sources) {
        if (!supersededBy(opening, "checkpoint " + sources.get(0).getCheckpointId() + " of the " + sources.size()
                + " shards before a rescale")) {
            return false;
        }
        ShardPlacement placed = state.placed();
        long checkpointId = sources.get(0).getCheckpointId();
        try {
            ShardVersion running = active.version();
            OperatorInstance fresh = running.compiled().instantiate(
                    new ShardContext(definition.name(), index, definition.shards(), running.version()));
            buffer.reset();
            state.forgetLog();
            LogReplayer replayer = new LogReplayer(fresh, definition, buffer);
            MergedLogs logs = new MergedLogs(definition.input());
            ColumnarBatch held = new ColumnarBatch(definition.input(), 64);
            ColumnarBatch decoded = new ColumnarBatch(definition.input(), 64);
            BatchDecoder decoder = new BatchDecoder();
            long releasedThrough = Long.MAX_VALUE;
            List<KeptResults> kept = new ArrayList<>();
            long storedVersion = -1;
            boolean carried = false;
            for (StateHandle source : sources) {
                List<CheckpointRecord> records = peers.read(definition, source, placed.getFirstKeyGroup(), placed.getEndKeyGroup());
                ShardCheckpoint meta = ShardCheckpoint.parseFrom(records.get(0).getPayload());
                if (storedVersion >= 0 && meta.getVersion() != storedVersion) {
                    throw new IOException("the checkpoints to restore were taken by different versions (" + storedVersion + " and "
                            + meta.getVersion() + ")");
                }
                storedVersion = meta.getVersion();
                carried = storedVersion == running.version() || running.carriesState();
                boolean whole = source.getFirstKeyGroup() == placed.getFirstKeyGroup()
                        && source.getEndKeyGroup() == placed.getEndKeyGroup();
                boolean ownsKept = source.getFirstKeyGroup() >= placed.getFirstKeyGroup()
                        && source.getFirstKeyGroup() < placed.getEndKeyGroup();
                for (CheckpointRecord record : records.subList(1, records.size())) {
                    switch (record.getKind()) {
                        case NATIVE_SNAPSHOT -> {
                            if (carried && whole) {
                                fresh.restore(record.getPayload().newInput());
                            } else if (carried) {
                                fresh.restoreKeyGroups(record.getPayload().newInput(), placed.getFirstKeyGroup(), placed.getEndKeyGroup());
                            }
                        }
                        case NATIVE_INCREMENT -> {
                            if (carried && whole) {
                                fresh.restoreChanges(record.getPayload().newInput());
                            } else if (carried) {
                                fresh.restoreChangesKeyGroups(record.getPayload().newInput(), placed.getFirstKeyGroup(),
                                        placed.getEndKeyGroup());
                            }
                        }
                        case HELD_EVENTS -> {
                            byte[] frame = record.getPayload().toByteArray();
                            decoded.clear();
                            decoder.events(frame, frame.length, decoded);
                            for (int r = 0; r < decoded.rowCount(); r++) {
                                held.copyRow(decoded, r);
                            }
                            releasedThrough = Math.min(releasedThrough, decoder.watermark());
                        }
                        case KEPT_RESULTS -> {
                            if (ownsKept) {
                                kept.add(KeptResults.parseFrom(record.getPayload()));
                            }
                        }
                        default -> { }
                    }
                }
                if (carried) {
                    logs.add(records);
                }
            }
            logs.replay(new MergedLogs.Sink() {
                @Override
                public void batch(byte[] frame, int length, long newestEventTime) throws Exception {
                    state.logBatch(frame, length, newestEventTime);
                    replayer.batch(frame, length);
                }

                @Override
                public void advance(long eventTime, long sequence) throws Exception {
                    state.logAdvance(eventTime, sequence);
                    replayer.advance(eventTime, sequence);
                }
            });
            if (!held.isEmpty() || releasedThrough != Long.MAX_VALUE) {
                buffer.restore(held, releasedThrough == Long.MAX_VALUE ? Long.MIN_VALUE : releasedThrough);
            }
            active.replace(fresh, running).close();
            restoredFrom = null;
            rescaledFrom = List.copyOf(sources);
            keptForFeed.clear();
            keptForFeed.addAll(kept);
            restored.accept(SwapReport.newBuilder()
                    .setCause(SwapReport.Cause.RESCALE)
                    .setVersion(running.version())
                    .setFromVersion(storedVersion)
                    .setRestoredCheckpoint(checkpointId)
                    .setStateCarried(carried)
                    .setReplayed(carried && replayer.batches() > 0)
                    .setBatchesReplayedAtSwitch(replayer.batches())
                    .setRescaledFrom(sources.size())
                    .build());
            LOG.info("Operator {} shard {} (key groups {}-{}) restored checkpoint {} of {} shards before a rescale: {} merged batches"
                    + " replayed, {} held events", definition.name(), index, placed.getFirstKeyGroup(), placed.getEndKeyGroup() - 1,
                    checkpointId, sources.size(), replayer.batches(), held.rowCount());
            return true;
        } catch (Exception e) {
            LOG.error("Operator {} shard {} could not restore the checkpoints of the shards before a rescale", definition.name(), index, e);
            opening.fail(StreamError.Code.OPERATOR_FAILED, "operator '" + definition.name() + "' shard " + index
                    + " could not restore checkpoint " + checkpointId + " of the " + sources.size() + " shards it took key groups from: "
                    + e.getMessage(), 0);
            return false;
        }
    }
}
