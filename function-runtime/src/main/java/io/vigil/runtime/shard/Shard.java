package io.vigil.runtime.shard;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.dsl.ProducerType;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.proto.Error;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Opened;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import io.vigil.batching.RingWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    private OperatorInstance instance;
    private volatile long version;
    private volatile long eventsProcessed;
    private volatile long resultsEmitted;
    private volatile int openStreams;
    private volatile long eventTime = Long.MIN_VALUE;
    private volatile boolean accepting = true;
    private final AtomicInteger pendingBatches = new AtomicInteger();
    private boolean answerPending;

    public Shard(OperatorDefinition definition, int index, OperatorInstance instance, long version, int ringSize,
                 ClassLoader operatorClassLoader) {
        this.definition = definition;
        this.index = index;
        this.instance = instance;
        this.version = version;
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

    public void open(StreamSession session) {
        worker.ring().publishEvent(ShardTask::open, session);
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

    /** Switches to {@code next} at the next batch boundary; completes once it is active. */
    public CompletableFuture<Void> swap(OperatorInstance next, long nextVersion) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        worker.ring().publishEvent(ShardTask::swap, next, nextVersion, done);
        return done;
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
        try {
            switch (task.kind) {
                case OPEN -> onOpen(task.session);
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
                case SWAP -> onSwap(task.nextInstance, task.nextVersion, task.done);
                case STOP -> onStop(task.errorCode, task.errorMessage, task.done);
            }
        } catch (RuntimeException e) {
            LOG.error("Shard {} of operator {} failed handling {}", index, definition.name(), task.kind, e);
            if (task.session != null) {
                task.session.fail(Error.Code.OPERATOR_FAILED, "operator '" + definition.name() + "' shard " + index
                        + " failed: " + e, task.kind == ShardTask.Kind.BATCH ? decoder.id() : 0);
                forget(task.session);
            }
            if (task.done != null) {
                task.done.completeExceptionally(e);
            }
        } finally {
            task.clear();
        }
    }

    private void onOpen(StreamSession session) {
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
            session.lastSequence = input.sequence(rows - 1);
            instance.process(input, results);
        }
        if (decoder.hasWatermark() && decoder.watermark() > session.watermark) {
            session.watermark = decoder.watermark();
            long clock = lowestWatermark();
            if (clock != Long.MIN_VALUE) {
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
    }

    private void onSwap(OperatorInstance next, long nextVersion, CompletableFuture<Void> done) {
        OperatorInstance previous = instance;
        instance = next;
        version = nextVersion;
        try {
            previous.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing version {} of operator {} shard {} failed", nextVersion - 1, definition.name(), index, e);
        }
        done.complete(null);
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
