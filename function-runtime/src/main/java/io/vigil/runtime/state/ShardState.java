package io.vigil.runtime.state;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.placement.Placements;
import io.vigil.api.proto.KeptResults;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.api.proto.ShardCheckpoint;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.WireBuffer;
import io.vigil.state.Checkpoint;
import io.vigil.state.CheckpointStore;
import io.vigil.state.RecordAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * One shard's durable state in the host's store. Operators that write no snapshot of their own
 * are rebuilt from an input log: every batch the shard processes and every clock advance is
 * appended to the store as it happens, and a checkpoint is a root naming the part of that log
 * within the operator's state horizon — a position, not a copy. Every {@link #LOG_CHUNK} records
 * of the log get an index record, so a root names whole chunks by their index and lists only the
 * records of the chunk still open and of one partly outside the horizon: its size, and the
 * shard's work to write it, stay small however long the horizon. Owned by the shard's thread.
 */
public final class ShardState {
    private static final int META = StoreLayout.SHARD_META;
    private static final int BATCH = StoreLayout.LOGGED_BATCH;
    private static final int ADVANCE = StoreLayout.LOGGED_ADVANCE;
    private static final int SNAPSHOT = StoreLayout.NATIVE_SNAPSHOT;
    private static final int HELD = StoreLayout.HELD_EVENTS;
    private static final int INCREMENT = StoreLayout.NATIVE_INCREMENT;
    private static final int KEPT = StoreLayout.KEPT_RESULTS;
    private static final int INDEX = StoreLayout.LOG_INDEX;
    private static final int PIN = StoreLayout.LOG_PIN;
    /** Log records per index record, when a record can hold their addresses. */
    static final int LOG_CHUNK = 1024;
    /** A chain of increments ends, and the next checkpoint writes the state whole, after this many. */
    static final int MAX_INCREMENTS = 32;

    private final CheckpointStore store;
    private final HandleSeal seal;
    private final String operator;
    private final int shard;
    private final ShardPlacement placed;
    private final String group;
    private final Deque<LogEntry> log = new ArrayDeque<>();
    // The log's whole chunks in order, each named by its index record, then the records after them.
    private final Deque<Chunk> chunks = new ArrayDeque<>();
    private final Deque<LogEntry> openChunk = new ArrayDeque<>();
    private final ByteBuffer index;
    private final int chunkRecords;
    // Filled in as commits become durable, on the store's durability thread.
    private final Map<Long, Long> storeCheckpoints = new ConcurrentHashMap<>();

    private record LogEntry(RecordAddress address, long newestEventTime, long serial) {
    }

    /** Consecutive log records, from serial {@code first} on, named by one index record. */
    private record Chunk(RecordAddress index, long first) {
    }

    /** The log at one moment: its records in order, and the serial of the last. */
    public record LogSnapshot(List<RecordAddress> records, long lastSerial) {
    }

    private long serial;
    // Bytes of the log's records within the horizon, and of the state the latest checkpoint held.
    private long logBytes;
    private volatile long checkpointBytes;
    // The native snapshot the running instance's increments follow, and those increments so far; a
    // checkpoint of another instance (after a swap, restore or fresh start) or a failed one starts anew.
    private OperatorInstance chainOf;
    private final List<RecordAddress> chainBase = new ArrayList<>();
    private long chainBaseBytes;
    private final List<RecordAddress> chainIncrements = new ArrayList<>();
    private int chainLength;
    private long chainIncrementBytes;
    // A commit of the chain failed after it was handed to the store: the next checkpoint writes the state whole.
    private volatile boolean chainBroken;

    /** The state of the only shard of an operator on one host. */
    ShardState(CheckpointStore store, String operator) {
        this(store, HandleSeal.ephemeral(), operator, Placements.onOneHost(1).getShards(0));
    }

    /** @param placed the shard: its index, host and key groups */
    public ShardState(CheckpointStore store, HandleSeal seal, String operator, ShardPlacement placed) {
        this.store = store;
        this.seal = seal;
        this.operator = operator;
        this.shard = placed.getShard();
        this.placed = placed;
        this.group = StoreLayout.shardGroup(operator, placed);
        // An index is one record, so a chunk is at most what a record can index.
        this.chunkRecords = Math.min(LOG_CHUNK, store.maxRecordBytes() / RecordAddress.BYTES);
        this.index = ByteBuffer.allocate(chunkRecords * RecordAddress.BYTES);
    }

    /** The seal {@code job}'s handles of this shard's checkpoints carry, for a client that writes them itself. */
    public com.google.protobuf.ByteString handleSeal(String job) {
        return seal.sealFor(operator, shard, job, store.incarnation());
    }

    /** The shard: its index, host and key groups. */
    public ShardPlacement placed() {
        return placed;
    }

    public long storeIncarnation() {
        return store.incarnation();
    }

    /** Appends a batch the shard is about to process (its encoded frame, rows in timestamp order) to the input log. */
    public void logBatch(byte[] frame, int length, long newestEventTime) throws IOException {
        addToLog(new LogEntry(store.append(BATCH, frame, 0, length), newestEventTime, ++serial));
    }

    /** Appends a clock advance to the input log. */
    public void logAdvance(long eventTime, long sequence) throws IOException {
        byte[] payload = ByteBuffer.allocate(16).putLong(eventTime).putLong(sequence).array();
        addToLog(new LogEntry(store.append(ADVANCE, payload), eventTime, ++serial));
    }

    private void addToLog(LogEntry entry) throws IOException {
        log.addLast(entry);
        logBytes += entry.address().length();
        openChunk.addLast(entry);
        if (openChunk.size() == chunkRecords) {
            closeChunk();
        }
    }

    /** Writes the open chunk's index record; the chunk is then named by it. */
    private void closeChunk() throws IOException {
        index.clear();
        for (LogEntry entry : openChunk) {
            entry.address().writeTo(index);
        }
        RecordAddress written = store.append(INDEX, index.array(), 0, index.position());
        chunks.addLast(new Chunk(written, openChunk.peekFirst().serial()));
        openChunk.clear();
    }

    /**
     * Makes the shard's state at this point durable as checkpoint {@code checkpointId} of
     * {@code job}: a native snapshot when the instance writes one, otherwise the input log within
     * the horizon; beside it the events held for the watermark, {@code held} (a copy; held through
     * {@code releasedThrough}), and the answers its streams had not passed on, {@code kept}.
     * Returns once the instance's part is written; the store's durability thread encodes and
     * writes the rest, and the handle follows once it has made everything durable.
     */
    public CompletableFuture<StateHandle> checkpoint(String job, long checkpointId, long version, OperatorInstance instance,
                                                     long horizonMillis, ColumnarBatch held, long releasedThrough,
                                                     List<KeptResults> kept) throws Exception {
        OperatorInstance continuing = chainBroken ? null : chainOf;
        chainOf = null;
        chainBroken = false;
        long clock = instance.eventTime();
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        boolean increment = continuing == instance && !chainBase.isEmpty() && chainLength < MAX_INCREMENTS
                && chainIncrementBytes < chainBaseBytes && instance.snapshotChanges(snapshot);
        boolean nativeSnapshot = increment || instance.snapshot(snapshot);
        ShardCheckpoint meta = ShardCheckpoint.newBuilder()
                .setVersion(version).setShard(shard).setCheckpointId(checkpointId)
                .setEventTime(clock).setNativeSnapshot(nativeSnapshot)
                .setIncrements(increment ? chainLength + 1 : 0).setJob(job).build();
        List<RecordAddress> records = new ArrayList<>();
        records.add(store.append(META, meta.toByteArray()));
        List<RecordAddress> written = List.of();
        // The snapshot is the state; the log is kept only within the horizon, for a swap to another language to replay.
        prune(clock, horizonMillis);
        if (increment) {
            written = appendWhole(INCREMENT, snapshot.toByteArray(), snapshot.size());
            records.addAll(chainBase);
            records.addAll(chainIncrements);
            records.addAll(written);
        } else if (nativeSnapshot) {
            written = appendWhole(SNAPSHOT, snapshot.toByteArray(), snapshot.size());
            records.addAll(written);
        } else {
            // Before the first whole chunk: a chunk the horizon cut into, and the clock advance kept before it.
            long wholeFrom = !chunks.isEmpty() ? chunks.peekFirst().first()
                    : !openChunk.isEmpty() ? openChunk.peekFirst().serial() : Long.MAX_VALUE;
            for (LogEntry entry : log) {
                if (entry.serial() >= wholeFrom) {
                    if (!chunks.isEmpty()) {
                        RecordAddress oldest = entry.address();
                        records.add(new RecordAddress(oldest.segment(), oldest.offset(), oldest.length(), PIN));
                    }
                    break;
                }
                records.add(entry.address());
            }
            for (Chunk chunk : chunks) {
                records.add(chunk.index());
            }
            for (LogEntry entry : openChunk) {
                records.add(entry.address());
            }
        }
        // Shards of all operators share the store and commit from their own threads: the store picks the id.
        CompletableFuture<Checkpoint> committed = store.commitNextAsync(group, records, () -> {
            WireBuffer encoded = new WireBuffer(Math.max(1024, held.rowCount() * 64));
            BatchEncoder.events(held, 0, true, releasedThrough, encoded);
            List<RecordAddress> rest = new ArrayList<>(appendWhole(HELD, encoded.array(), encoded.length()));
            for (KeptResults stream : kept) {
                byte[] bytes = stream.toByteArray();
                rest.addAll(appendWhole(KEPT, bytes, bytes.length));
            }
            return rest;
        });
        if (increment) {
            chainIncrements.addAll(written);
            chainIncrementBytes += snapshot.size();
            chainLength++;
        } else if (nativeSnapshot) {
            chainBase.clear();
            chainBase.addAll(written);
            chainBaseBytes = snapshot.size();
            chainIncrements.clear();
            chainIncrementBytes = 0;
            chainLength = 0;
        }
        chainOf = nativeSnapshot ? instance : null;
        checkpointBytes = nativeSnapshot ? chainBaseBytes + chainIncrementBytes : logBytes;
        return committed.handle((checkpoint, failure) -> {
            if (failure != null) {
                chainBroken = true;
                throw failure instanceof CompletionException wrapped ? wrapped : new CompletionException(failure);
            }
            storeCheckpoints.put(checkpointId, checkpoint.id());
            return seal.seal(StateHandle.newBuilder().setOperator(operator).setShard(shard).setCheckpointId(checkpointId)
                    .setStoreCheckpoint(checkpoint.id()).setStoreIncarnation(store.incarnation()).setJob(job)
                    .setHost(placed.getHost()).setFirstKeyGroup(placed.getFirstKeyGroup()).setEndKeyGroup(placed.getEndKeyGroup())
                    .build());
        });
    }

    /** Appends {@code length} bytes of {@code payload} as one record, or as a record and its continuations when a record cannot hold them. */
    private List<RecordAddress> appendWhole(int tag, byte[] payload, int length) throws IOException {
        int most = store.maxRecordBytes();
        List<RecordAddress> written = new ArrayList<>();
        int offset = 0;
        do {
            int part = Math.min(most, length - offset);
            written.add(store.append(offset == 0 ? tag : tag | StoreLayout.CONTINUED, payload, offset, part));
            offset += part;
        } while (offset < length);
        return written;
    }

    /** Flink completed {@code checkpointId}: older checkpoints of this shard may go. */
    public void release(long checkpointId) throws IOException {
        Long storeId = storeCheckpoints.get(checkpointId);
        if (storeId != null) {
            store.release(group, storeId);
            storeCheckpoints.keySet().removeIf(id -> id < checkpointId);
        }
    }

    /** What a checkpoint holds, for the shard to rebuild its instance from. */
    public Restore restore(StateHandle handle) throws IOException {
        StoredCheckpoint checkpoint = StoredCheckpoint.find(store, seal, group, handle);
        clearLog();
        storeCheckpoints.clear();
        storeCheckpoints.put(handle.getCheckpointId(), checkpoint.id());
        return new Restore(checkpoint);
    }

    /** The stored state of one checkpoint; replaying it also rebuilds the input log. */
    public final class Restore {
        private final StoredCheckpoint checkpoint;

        Restore(StoredCheckpoint checkpoint) {
            this.checkpoint = checkpoint;
        }

        public ShardCheckpoint meta() {
            return checkpoint.meta();
        }

        /** The answers each stream had not passed on at the checkpoint. */
        public List<KeptResults> keptResults() throws Exception {
            List<KeptResults> kept = new ArrayList<>();
            checkpoint.forEachPayload(tag -> tag == KEPT, (tag, first, bytes) -> kept.add(KeptResults.parseFrom(bytes)));
            return kept;
        }

        /** Brings back only the events held for the watermark: a version that starts empty still owes them their processing. */
        public void replayHeld(Replayer replayer) throws Exception {
            checkpoint.forEachPayload(tag -> tag == HELD, (tag, first, bytes) -> replayer.held(bytes));
        }

        /** Feeds the stored state into a fresh instance: a native restore, or the log replayed in order. */
        public void replay(OperatorInstance instance, Replayer replayer) throws Exception {
            // Kept answers go back to the streams, not to the instance; a pin only holds a segment.
            checkpoint.forEachPayload(tag -> tag != KEPT && tag != PIN, (tag, first, bytes) -> {
                switch (tag) {
                    case SNAPSHOT -> instance.restore(new ByteArrayInputStream(bytes));
                    case INCREMENT -> instance.restoreChanges(new ByteArrayInputStream(bytes));
                    case HELD -> replayer.held(bytes);
                    case INDEX -> replayChunk(first, bytes, replayer);
                    default -> addToLog(new LogEntry(first, apply(first, bytes, replayer), ++serial));
                }
            });
        }

        /** Replays a whole chunk of the log, record by record, and keeps it named by the same index. */
        private void replayChunk(RecordAddress indexRecord, byte[] addresses, Replayer replayer) throws Exception {
            if (!openChunk.isEmpty()) {
                closeChunk();
            }
            ByteBuffer entries = ByteBuffer.wrap(addresses);
            long first = serial + 1;
            while (entries.hasRemaining()) {
                RecordAddress address = RecordAddress.readFrom(entries);
                log.addLast(new LogEntry(address, apply(address, store.read(address), replayer), ++serial));
                logBytes += address.length();
            }
            chunks.addLast(new Chunk(indexRecord, first));
        }
    }

    /**
     * The retained input log after {@code afterSerial}, as it stands (shard thread). From the start
     * ({@code afterSerial} -1), only what lies within {@code horizonMillis} of {@code clock}, led by
     * the clock advance before it.
     */
    public LogSnapshot logSince(long afterSerial, long clock, long horizonMillis) {
        List<RecordAddress> records = new ArrayList<>();
        if (afterSerial < 0) {
            long cutoff = clock == Long.MIN_VALUE ? Long.MIN_VALUE : clock - horizonMillis;
            LogEntry lastAdvance = null;
            boolean within = false;
            for (LogEntry entry : log) {
                within |= entry.newestEventTime() >= cutoff;
                if (within) {
                    records.add(entry.address());
                } else if (entry.address().tag() == ADVANCE) {
                    lastAdvance = entry;
                }
            }
            if (lastAdvance != null) {
                records.add(0, lastAdvance.address());
            }
        } else {
            for (LogEntry entry : log) {
                if (entry.serial() > afterSerial) {
                    records.add(entry.address());
                }
            }
        }
        return new LogSnapshot(records, serial);
    }

    /** Bytes of state the latest checkpoint holds: its native snapshot (with increments), or its input log within the horizon. */
    public long checkpointBytes() {
        return checkpointBytes;
    }

    /** The input log no longer describes the running instance's state (it started afresh): later checkpoints start from here. */
    public void forgetLog() {
        clearLog();
    }

    private void clearLog() {
        logBytes = 0;
        log.clear();
        chunks.clear();
        openChunk.clear();
    }

    /** Feeds logged records into an instance (any thread: the store reads are thread-safe). */
    public void replay(List<RecordAddress> records, Replayer replayer) throws Exception {
        for (RecordAddress record : records) {
            apply(record, store.read(record), replayer);
        }
    }

    /** Applies one logged batch or clock advance; returns its newest event time. */
    private static long apply(RecordAddress record, byte[] payload, Replayer replayer) throws Exception {
        switch (record.tag()) {
            case BATCH -> {
                return replayer.batch(payload);
            }
            case ADVANCE -> {
                ByteBuffer advance = ByteBuffer.wrap(payload);
                long eventTime = advance.getLong();
                replayer.advance(eventTime, advance.getLong());
                return eventTime;
            }
            default -> throw new IOException("unknown record tag " + record.tag() + " in a shard's input log");
        }
    }

    /** Applies logged input to the instance being rebuilt, with its results discarded. */
    public interface Replayer {
        /** Processes a logged batch frame; returns its newest event time. */
        long batch(byte[] frame) throws Exception;

        void advance(long eventTime, long sequence);

        /** The events the shard held for the watermark at the checkpoint (an encoded frame). */
        void held(byte[] frame) throws Exception;
    }

    // Drops the log's head that lies wholly outside the horizon, keeping the last clock advance
    // before what remains so a replay starts the clock where the original run had it.
    private void prune(long clock, long horizonMillis) {
        if (clock == Long.MIN_VALUE) {
            return;
        }
        long cutoff = clock - horizonMillis;
        LogEntry lastAdvance = null;
        while (!log.isEmpty() && log.peekFirst().newestEventTime() < cutoff) {
            LogEntry dropped = log.removeFirst();
            logBytes -= dropped.address().length();
            if (dropped.address().tag() == ADVANCE) {
                lastAdvance = dropped;
            }
        }
        // A chunk the cut went into is no longer whole: what is left of it is named record by record.
        long kept = log.isEmpty() ? serial + 1 : log.peekFirst().serial();
        while (!chunks.isEmpty() && chunks.peekFirst().first() < kept) {
            chunks.removeFirst();
        }
        while (!openChunk.isEmpty() && openChunk.peekFirst().serial() < kept) {
            openChunk.removeFirst();
        }
        if (lastAdvance != null) {
            log.addFirst(lastAdvance);
            logBytes += lastAdvance.address().length();
        }
    }
}
