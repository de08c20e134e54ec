package io.vigil.flink.internal;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.ProducerType;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.codec.LateEventsPolicy;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.Frame;
import io.vigil.batching.BatchPolicy;
import io.vigil.batching.RingWorker;
import io.vigil.batching.Wakeup;
import io.vigil.flink.VigilConnectorException;
import io.vigil.flink.VigilFunctionConfig;
import io.vigil.flink.VigilTelemetry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import io.vigil.api.proto.Opened;
import io.vigil.api.proto.PlacementChange;
import io.vigil.api.proto.StateHandle;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.util.concurrent.FutureUtils;
import org.apache.flink.util.function.ThrowingRunnable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The connector's Flink operator. The task thread copies each event into a ring slot; the sender
 * thread batches the ring to the operator's shards; answers arrive on network threads; the task's
 * mailbox thread emits them, round by round in event-time order, each followed by the watermark
 * that closed it. A checkpoint does not wait for what is in flight: the barrier follows the last
 * round on every shard stream, each shard keeps the answers this subtask had not yet emitted with
 * its checkpoint, and Flink's asynchronous checkpoint thread waits for the shards to make it
 * durable. The end of input drains everything in flight.
 */
public final class VigilStreamOperator<IN, OUT> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<IN, OUT> {
    private static final long serialVersionUID = 1L;

    private final VigilFunctionConfig config;
    private final transient MailboxExecutor mailbox;
    private transient VigilTelemetry telemetry;
    private transient ConnectorMetrics metrics;
    private transient Wakeup senderWakeup;
    // Replaced by the sender at a live rescale's cut, with nothing in flight; read by the task and mailbox threads.
    private transient volatile ShardStreams streams;
    private transient InputMapping<IN> eventMapping;
    private transient OutputMapping<OUT> resultMapping;
    private transient volatile RoundWindow window;
    private transient RingWorker<EventSlot> sender;
    private transient RingBuffer<EventSlot> ring;
    private transient volatile ColumnarBatch[] decoded;
    private transient BatchDecoder decoder;
    private transient volatile int[] cursors;
    private transient StreamRecord<OUT> reuse;
    private transient AtomicReference<VigilConnectorException> failure;
    private transient volatile boolean stopping;
    private transient long sequence;
    private transient long emittedRingSequence;
    private transient String job;
    private transient LiveRescale rescale;
    private transient EventSchema inputSchema;
    private transient EventSchema outputSchema;
    // Periodic checkpoints are on: barriers go without a drain, and the shards keep what was not yet emitted.
    private transient boolean keepResults;
    private transient ListState<byte[]> handleState;
    private transient List<byte[]> restored;
    private transient OutputTag<IN> lateEvents;
    private transient long watermark;
    private final transient BarrierAcks acks = new BarrierAcks();
    private final transient PendingBarriers pendingBarriers = new PendingBarriers();
    private transient ThrowingRunnable<RuntimeException> wakeSenderForBarriers;
    private transient ThrowingRunnable<RuntimeException> wakeSenderForRescale;
    /** The longest a subtask waits at one step of a live rescale's cut: the shards agreeing, or the cut becoming durable. */
    private static final java.time.Duration RESCALE_STEP_TIMEOUT = java.time.Duration.ofMinutes(2);

    VigilStreamOperator(StreamOperatorParameters<OUT> parameters, VigilFunctionConfig config) {
        super(parameters);
        this.config = config;
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        failure = new AtomicReference<>();
        telemetry = VigilTelemetry.of(config.operator());
        senderWakeup = new Wakeup();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        String client = getRuntimeContext().getJobInfo().getJobName() + "/" + getOperatorName() + "/" + subtask;
        streams = ShardStreams.connect(config.endpoint(), config.operator(), config.security(), config.timeout(), senderWakeup,
                this::fail);
        OperatorStatus status = streams.status();
        inputSchema = SchemaProtos.fromProto(status.getSpec().getInputSchema());
        outputSchema = SchemaProtos.fromProto(status.getSpec().getOutputSchema());
        if (!status.getSpec().getKeyField().equals(config.keyField())) {
            throw new VigilConnectorException("operator '" + config.operator() + "' is keyed by '" + status.getSpec().getKeyField()
                    + "' but the job keys it by '" + config.keyField() + "'");
        }
        int shards = streams.shards();
        watermark = Long.MIN_VALUE;
        lateEvents = LateEventsPolicy.of(status.getSpec()) == LateEventsPolicy.SIDE_OUTPUT ? config.lateEventsTag() : null;
        eventMapping = new InputMapping<>((Class<IN>) config.inputType(), inputSchema, config.keyField());
        resultMapping = new OutputMapping<>((Class<OUT>) config.outputType(), outputSchema);
        decoder = new BatchDecoder();
        reuse = new StreamRecord<>(null);
        rescale = new LiveRescale(streams.placement().getEpoch());
        window = routeTo(streams, 1);
        BatchSender handler = new BatchSender(eventMapping, streams, window, BatchPolicy.of(config.maxBatchSize(), config.linger()),
                senderWakeup, this::scheduleEmit, () -> stopping || failure.get() != null, telemetry, () -> ring.getCursor(),
                pendingBarriers, rescale, this::routeTo, RESCALE_STEP_TIMEOUT);
        WaitStrategy waiting = config.linger().isZero()
                ? new BlockingWaitStrategy()
                : new LiteTimeoutBlockingWaitStrategy(Math.max(1, config.linger().toNanos()), TimeUnit.NANOSECONDS);
        int columns = inputSchema.size();
        sender = new RingWorker<>("vigil-sender-" + config.operator() + "-" + subtask, () -> new EventSlot(columns),
                config.ringSize(), ProducerType.SINGLE, waiting, handler,
                e -> fail(new VigilConnectorException("the sender of operator '" + config.operator() + "' (subtask " + subtask
                        + ") failed: " + e, e))).start();
        ring = sender.ring();
        metrics = new ConnectorMetrics(getMetricGroup(), config.operator(), () -> ring.getCursor() - emittedRingSequence,
                () -> ring.getBufferSize() - ring.remainingCapacity(), () -> streams.shards());
        metrics.streamsOpened(shards);
        var task = getRuntimeContext().getTaskInfo();
        job = getRuntimeContext().getJobInfo().getJobId().toString();
        String feed = job + "/attempt-" + task.getAttemptNumber();
        // Made here, not at the first checkpoint: a first use loads classes and links the lambda.
        wakeSenderForBarriers = this::wakeSenderForBarriers;
        wakeSenderForRescale = this::wakeSenderForRescale;
        StateHandle.newBuilder().setOperator(config.operator()).setJob("").build().toByteArray();
        keepResults = getContainingTask().getJobConfiguration().getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                .map(interval -> !interval.isNegative() && !interval.isZero()).orElse(false);
        Opened[] opened = streams.openStreams(client, job, feed, task.getNumberOfParallelSubtasks(), subtask, keepResults,
                new ShardStreams.ResultListener() {
                    @Override
                    public void onResults(int shard, long batchId, Frame results) {
                        VigilStreamOperator.this.onResults(shard, batchId, results);
                    }

                    @Override
                    public void onBarrierAck(int shard, long checkpointId, byte[] handle) {
                        acks.acknowledge(shard, checkpointId);
                        rescale.acknowledged(shard, checkpointId);
                    }

                    @Override
                    public void onPlacementChange(PlacementChange change) {
                        if (rescale.onChange(change)) {
                            senderWakeup.signal();
                            mailbox.execute(wakeSenderForRescale, "vigil live rescale");
                        }
                    }
                }, config.timeout(), RestorePlan.of(restored, config.operator(), streams.placement()));
        if (opened != null) {
            KeptRounds kept = KeptRounds.of(opened);
            if (!kept.isEmpty()) {
                // Mail runs before any input is processed, so these go out before any later result.
                mailbox.execute(() -> kept.forEach(round -> {
                    int emitted = emitResults(round);
                    telemetry.recordResults(emitted);
                    metrics.resultsReceived.inc(emitted);
                }),
                        "vigil results kept by the restored checkpoint");
            }
        }
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws InterruptedException {
        throwIfFailed();
        if (lateEvents != null && element.hasTimestamp() && element.getTimestamp() <= watermark) {
            output.collect(lateEvents, element);
            telemetry.recordLateEvent();
            return;
        }
        long slotSequence = claimSlot();
        metrics.eventsSent.inc();
        EventSlot slot = ring.get(slotSequence);
        try {
            slot.kind = EventSlot.EVENT;
            // A record without event time is stamped with its arrival (processing) time, which
            // also serves as its watermark: the host then processes such records as they come.
            boolean eventTime = element.hasTimestamp() && element.getTimestamp() != Long.MIN_VALUE;
            slot.timestamp = eventTime ? element.getTimestamp() : getProcessingTimeService().getCurrentProcessingTime();
            slot.arrivalTime = !eventTime;
            slot.sequence = ++sequence;
            slot.publishNanos = System.nanoTime();
            eventMapping.copy(element.getValue(), slot);
        } catch (RuntimeException e) {
            slot.kind = EventSlot.SKIP;
            throw new VigilConnectorException("cannot send event to operator '" + config.operator() + "': " + e.getMessage(), e);
        } finally {
            ring.publish(slotSequence);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws InterruptedException {
        throwIfFailed();
        watermark = Math.max(watermark, mark.getTimestamp());
        publishControl(EventSlot.WATERMARK, mark.getTimestamp());
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        handleState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("vigil-state-handles", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        restored = new ArrayList<>();
        if (context.isRestored()) {
            for (byte[] handle : handleState.get()) {
                restored.add(handle);
            }
        }
    }

    /**
     * Sends the barrier after the rounds already published, naming the last round emitted, and
     * returns: the shards keep the answers emitted after it with their checkpoint. The handles
     * going into this operator's (union) state name each shard's checkpoint by job and id; the
     * asynchronous part ({@link #snapshotState(long, long, CheckpointOptions, CheckpointStreamFactory)})
     * waits until every shard has made it durable, so Flink completes no checkpoint a shard lacks.
     */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        long start = System.nanoTime();
        super.snapshotState(context);
        throwIfFailed();
        long checkpointId = context.getCheckpointId();
        if (!keepResults) {
            // A savepoint of a job without periodic checkpoints: the shards keep nothing, so emit everything first.
            drain();
        }
        // During a live rescale, the barrier's handles name the shards before the cut or after it.
        while (!rescale.mayPublish(checkpointId)) {
            awaitProgress();
        }
        ShardStreams routed = streams;
        telemetry.recordCheckpointsPending(acks.expect(checkpointId, routed.shards()));
        handleState.update(routed.stateHandles(checkpointId));
        if (!publishBesideFullRing(EventSlot.BARRIER, checkpointId, window.emittedThrough())) {
            telemetry.recordBarrierBehindFullRing();
        }
        telemetry.recordCheckpointPause(System.nanoTime() - start);
    }

    @Override
    public OperatorSnapshotFutures snapshotState(long checkpointId, long timestamp, CheckpointOptions options,
                                                 CheckpointStreamFactory storage) throws Exception {
        OperatorSnapshotFutures futures = super.snapshotState(checkpointId, timestamp, options, storage);
        RunnableFuture<SnapshotResult<OperatorStateHandle>> handles = futures.getOperatorStateManagedFuture();
        long barrierSent = System.nanoTime();
        futures.setOperatorStateManagedFuture(new FutureTask<>(() -> {
            acks.await(checkpointId, this::throwIfFailed);
            telemetry.recordCheckpointDurable(System.nanoTime() - barrierSent);
            return FutureUtils.runIfNotDoneAndGet(handles);
        }));
        return futures;
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        super.notifyCheckpointAborted(checkpointId);
        acks.forget(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        telemetry.recordCheckpointCompleted(checkpointId);
        if (ring != null && failure.get() == null) {
            publishBesideFullRing(EventSlot.CHECKPOINT_COMPLETE, checkpointId, 0);
        }
    }

    @Override
    public void finish() throws Exception {
        drain();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        if (senderWakeup != null) {
            senderWakeup.signal();
        }
        if (sender != null) {
            sender.halt();
            sender.join(TimeUnit.SECONDS.toMillis(10));
        }
        if (streams != null) {
            streams.close();
        }
        super.close();
    }

    /** Sends everything published so far and emits all of its results before returning. */
    private void drain() throws InterruptedException {
        long flush = publishControl(EventSlot.FLUSH, 0);
        while (emittedRingSequence < flush) {
            awaitProgress();
        }
        throwIfFailed();
    }

    /**
     * Task thread, waiting for the sender or the host: runs mails meanwhile (results free rounds).
     * Flink interrupts a task it cancels; a wait that ignored it would keep the slot until Flink's
     * cancellation watchdog kills the TaskManager.
     */
    private void awaitProgress() throws InterruptedException {
        throwIfFailed();
        if (!mailbox.tryYield()) {
            if (Thread.interrupted()) {
                throw new InterruptedException("task cancelled while waiting for operator '" + config.operator() + "'");
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * Task thread, after a barrier went to {@link PendingBarriers}: the sender looks for due barriers
     * before each slot and when it runs dry, so one more slot (if there is room) reaches a sender
     * that ran dry before the barrier was added.
     */
    private void wakeSenderForBarriers() {
        if (!pendingBarriers.isEmpty() && failure.get() == null) {
            // With no room, the sender has slots to take, and looks before each.
            tryPublishControl(EventSlot.SKIP, 0, 0);
        }
    }

    /** Task thread, when a shard asks about a live rescale: one more slot brings a sender waiting for the ring to answer. */
    private void wakeSenderForRescale() {
        if (failure.get() == null) {
            tryPublishControl(EventSlot.SKIP, 0, 0);
        }
    }

    /**
     * The round window and result buffers for routing to {@code routed}'s shards, rounds numbered
     * from {@code firstRoundId}: at open, and on the sender thread at a live rescale's cut, when
     * every round before has been emitted.
     */
    private RoundWindow routeTo(ShardStreams routed, long firstRoundId) {
        int shards = routed.shards();
        ColumnarBatch[] buffers = new ColumnarBatch[shards];
        for (int s = 0; s < shards; s++) {
            buffers[s] = new ColumnarBatch(outputSchema, 64);
        }
        int perShardCapacity = Math.max(16, config.maxBatchSize() / shards * 2);
        RoundWindow next = new RoundWindow(config.roundsInFlight(), inputSchema, shards, perShardCapacity, senderWakeup, firstRoundId);
        if (metrics != null) {
            metrics.streamsOpened(shards);
        }
        cursors = new int[shards];
        decoded = buffers;
        streams = routed;
        window = next;
        return next;
    }

    /**
     * Publishes a barrier or a checkpoint completion into the ring, or, when the ring is full, hands
     * it to the sender beside the ring without waiting: the sender sends it once it has taken every
     * slot published before it, and a mail makes sure an idle sender looks. False when it went beside.
     */
    private boolean publishBesideFullRing(byte kind, long checkpointId, long emittedThrough) {
        if (tryPublishControl(kind, checkpointId, emittedThrough)) {
            return true;
        }
        pendingBarriers.add(new PendingBarriers.Barrier(checkpointId, emittedThrough, ring.getCursor(),
                kind == EventSlot.CHECKPOINT_COMPLETE));
        mailbox.execute(wakeSenderForBarriers, "vigil control beside a full ring");
        return false;
    }

    /** Publishes a control slot, waiting for room; returns its sequence. */
    private long publishControl(byte kind, long timestamp) throws InterruptedException {
        return publish(claimSlot(), kind, timestamp, 0);
    }

    /** Publishes a control slot if the ring has room; false when it is full. */
    private boolean tryPublishControl(byte kind, long timestamp, long emittedThrough) {
        try {
            publish(ring.tryNext(), kind, timestamp, emittedThrough);
            return true;
        } catch (InsufficientCapacityException full) {
            return false;
        }
    }

    private long publish(long slotSequence, byte kind, long timestamp, long emittedThrough) {
        EventSlot slot = ring.get(slotSequence);
        slot.kind = kind;
        slot.timestamp = timestamp;
        slot.emittedThrough = emittedThrough;
        ring.publish(slotSequence);
        return slotSequence;
    }

    private long claimSlot() throws InterruptedException {
        boolean waited = false;
        while (true) {
            try {
                return ring.tryNext();
            } catch (InsufficientCapacityException full) {
                // Back-pressure: let the mailbox emit results until the sender catches up.
                if (!waited) {
                    telemetry.recordRingFullWait();
                    waited = true;
                }
                long waitedFrom = System.nanoTime();
                awaitProgress();
                metrics.backPressuredMillis.inc((System.nanoTime() - waitedFrom) / 1_000_000);
            }
        }
    }

    // ---- network threads ----

    private void onResults(int shard, long batchId, Frame results) {
        Round round = window.inFlight(batchId);
        if (round == null) {
            fail(new VigilConnectorException("operator '" + config.operator() + "' shard " + shard
                    + " answered batch " + batchId + ", which is not in flight"));
            return;
        }
        round.results[shard] = results;
        if (round.pending.decrementAndGet() == 0) {
            scheduleEmit();
        }
    }

    private void fail(VigilConnectorException e) {
        if (failure.compareAndSet(null, e)) {
            senderWakeup.signal();
            mailbox.execute(this::throwIfFailed, "vigil failure");
        }
    }

    private void scheduleEmit() {
        mailbox.execute(this::emitReady, "vigil results");
    }

    // ---- mailbox thread ----

    private void emitReady() throws BatchFormatException {
        Round round;
        while ((round = window.readyHead()) != null) {
            emit(round);
            emittedRingSequence = round.lastRingSequence;
            window.release();
        }
    }

    private void emit(Round round) throws BatchFormatException {
        int emitted = emitResults(round.results);
        long now = System.nanoTime();
        for (int i = 0; i < round.rows; i++) {
            long micros = (now - round.publishNanos[i]) / 1000;
            telemetry.recordLatencyMicros(micros);
            metrics.roundTrip(micros);
        }
        telemetry.recordResults(emitted);
        metrics.resultsReceived.inc(emitted);
        if (round.hasWatermark) {
            output.emitWatermark(new Watermark(round.watermark));
        }
    }

    /** Emits one round's answers (per shard, null where a shard had none); returns how many rows. */
    private int emitResults(Frame[] results) throws BatchFormatException {
        ColumnarBatch[] decoded = this.decoded;
        int[] cursors = this.cursors;
        int shards = decoded.length;
        for (int s = 0; s < shards; s++) {
            decoded[s].clear();
            cursors[s] = 0;
            if (results[s] != null) {
                decoder.results(results[s].bytes(), results[s].length(), decoded[s]);
            }
        }
        // Each shard answers in the order its operator emitted, which is event-time order; the
        // shards' answers are merged by time, then by the sequence of the input that caused them.
        int emitted = 0;
        while (true) {
            int next = -1;
            long earliest = Long.MAX_VALUE;
            long lowest = Long.MAX_VALUE;
            for (int s = 0; s < shards; s++) {
                if (cursors[s] < decoded[s].rowCount()) {
                    long time = decoded[s].timestamp(cursors[s]);
                    long sequence = decoded[s].sequence(cursors[s]);
                    if (time < earliest || (time == earliest && sequence < lowest)) {
                        earliest = time;
                        lowest = sequence;
                        next = s;
                    }
                }
            }
            if (next < 0) {
                break;
            }
            int row = cursors[next]++;
            output.collect(reuse.replace(resultMapping.create(decoded[next], row), decoded[next].timestamp(row)));
            emitted++;
        }
        return emitted;
    }

    private void throwIfFailed() {
        VigilConnectorException e = failure.get();
        if (e != null) {
            throw e;
        }
    }
}
