package io.vigil.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Checkpoints in an append-only log of memory-mapped segments.
 *
 * <p>A checkpoint's data records are appended first and made durable; then a root record naming
 * the checkpoint and its records is appended and made durable last. Recovery scans the log, keeps
 * the newest root whose records are all intact, and erases everything after it, so a crash at any
 * point lands on the last fully committed checkpoint and never returns half-written data. Space is
 * reclaimed a whole segment at a time, once no retained checkpoint has a record in it.
 *
 * <p>One writer at a time; reads may come from any thread.
 */
public final class CheckpointStore implements AutoCloseable {
    private final Path directory;
    private final StoreOptions options;
    private final Mapper mapper = new Mapper();
    private final TreeMap<Integer, Segment> segments = new TreeMap<>();
    private final Deque<Checkpoint> checkpoints = new ArrayDeque<>();
    private final Map<Integer, int[]> unflushed = new HashMap<>();
    private final List<String> relocatablePrefixes = new ArrayList<>();
    private final ExecutorService preparer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "vigil-store-preparer");
        thread.setDaemon(true);
        return thread;
    });

    // Makes asynchronous commits durable, one after another, off the committing threads.
    private final ExecutorService durability = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "vigil-store-durability");
        thread.setDaemon(true);
        return thread;
    });

    private Future<Segment> spare;
    private StoreIdentity identity;
    // Every id up to this one may have been handed out before this opening (reserved in store.id).
    private long idFloor;
    private List<String> discarded = List.of();
    private long lastCommitted;
    private Segment current;
    private int position;

    private CheckpointStore(Path directory, StoreOptions options) {
        this.directory = directory;
        this.options = options;
    }

    /** Opens the store in {@code directory}, creating it if needed, and recovers its last committed checkpoint. */
    public static CheckpointStore open(Path directory, StoreOptions options) throws IOException {
        Files.createDirectories(directory);
        CheckpointStore store = new CheckpointStore(directory, options);
        try {
            store.recover();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    public DurabilityMode mode() {
        return mapper.mode();
    }

    /** The store's incarnation: drawn when it was created, it tells its checkpoints from another store's with the same ids. */
    public long incarnation() {
        return identity.incarnation;
    }

    /** What opening set aside as damaged (with {@link StoreOptions#discardDamaged()}); empty when the store was whole. */
    public List<String> discardedDamage() {
        return discarded;
    }

    /** Why the store runs in its {@link #mode()}: whether the file system accepted a synchronous mapping. */
    public String modeReason() {
        return mapper.reason();
    }

    /** The newest committed checkpoint, if any. */
    public synchronized Optional<Checkpoint> latest() {
        return Optional.ofNullable(checkpoints.peekLast());
    }

    /** The newest committed checkpoint of {@code group}, if any. */
    public synchronized Optional<Checkpoint> latest(String group) {
        Checkpoint found = null;
        for (Checkpoint checkpoint : checkpoints) {
            if (checkpoint.group().equals(group)) {
                found = checkpoint;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The retained checkpoint with this id, if any. */
    public synchronized Optional<Checkpoint> checkpoint(long id) {
        return checkpoints.stream().filter(c -> c.id() == id).findFirst();
    }

    /** The id the next commit must exceed: above every id this store has handed out, before any crash or damage too. */
    synchronized long lastId() {
        long newest = checkpoints.isEmpty() ? 0 : checkpoints.peekLast().id();
        return Math.max(idFloor, Math.max(lastCommitted, newest));
    }

    /** Drops the checkpoints of {@code group} older than {@code keepFromId}, keeping at least its newest. */
    public synchronized void release(String group, long keepFromId) throws IOException {
        Checkpoint newest = latest(group).orElse(null);
        checkpoints.removeIf(c -> c.group().equals(group) && c.id() < keepFromId && c != newest);
        reclaim();
    }

    /**
     * Checkpoints of the groups whose keys start with {@code groupPrefix} are named by nobody outside
     * by their ids (records of what to run, say): when they alone keep an old segment in use, the
     * store copies them forward under new ids and reclaims the segment, so a long-lived record does
     * not hold every segment after it.
     */
    public synchronized void relocatable(String groupPrefix) {
        relocatablePrefixes.add(groupPrefix);
    }

    /** Drops every retained checkpoint of the groups {@code forgotten} accepts; their space is reclaimed with their segments. */
    public synchronized void forget(java.util.function.Predicate<String> forgotten) throws IOException {
        checkpoints.removeIf(c -> forgotten.test(c.group()));
        reclaim();
    }

    /** The retained checkpoints, oldest first. */
    public synchronized List<Checkpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    /** The largest payload one record can hold: a segment less its header and the record's. */
    public int maxRecordBytes() {
        return options.segmentBytes() - Segment.HEADER_BYTES - RecordFormat.HEADER_BYTES;
    }

    public synchronized long bytesOnDisk() {
        return (long) segments.size() * options.segmentBytes();
    }

    /** Appends a record for the checkpoint being written; it becomes part of a checkpoint with {@link #commit}. */
    public synchronized RecordAddress append(int tag, byte[] payload) throws IOException {
        return append(RecordFormat.DATA, tag, payload, 0, payload.length);
    }

    /** As {@link #append(int, byte[])}, for {@code length} bytes of {@code payload} from {@code offset}. */
    public synchronized RecordAddress append(int tag, byte[] payload, int offset, int length) throws IOException {
        return append(RecordFormat.DATA, tag, payload, offset, length);
    }

    /**
     * Makes {@code records} durable, then writes and makes durable the root that commits them as
     * checkpoint {@code id}; ids must increase. Older checkpoints beyond the retention are dropped
     * and whole segments no retained checkpoint uses are deleted.
     */
    public synchronized Checkpoint commit(long id, List<RecordAddress> records) throws IOException {
        return commit(id, "", records);
    }

    /** Commits {@code records} as the next checkpoint of {@code group}, under the next free id. */
    public synchronized Checkpoint commitNext(String group, List<RecordAddress> records) throws IOException {
        return commit(lastId() + 1, group, records);
    }

    /** As {@link #commit(long, List)}, for one group of checkpoints; retention counts per group. */
    public synchronized Checkpoint commit(long id, String group, List<RecordAddress> records) throws IOException {
        Checkpoint checkpoint = commitRoot(id, group, records);
        reclaim();
        return checkpoint;
    }

    /** Appends the rest of a checkpoint's records, on the store's durability thread. */
    public interface RecordWriter {
        List<RecordAddress> write() throws IOException;
    }

    /**
     * Commits {@code records}, followed by those {@code rest} appends, as the next checkpoint of
     * {@code group} without waiting: returns at once, and the store's durability thread writes the
     * rest, makes every record durable, then writes the root under the next free id and makes it
     * durable, then completes the future. Commits complete in the order they were made; appends go
     * on meanwhile.
     */
    public CompletableFuture<Checkpoint> commitNextAsync(String group, List<RecordAddress> records, RecordWriter rest) {
        CompletableFuture<Checkpoint> committed = new CompletableFuture<>();
        durability.execute(() -> {
            try {
                List<RecordAddress> all = new ArrayList<>(records);
                all.addAll(rest.write());
                // Whatever another commit took from these ranges it forced before this task ran.
                List<PendingForce> written;
                synchronized (this) {
                    written = takeUnflushed();
                }
                force(written);
                byte[] encoded = RootRecord.encode(group, all);
                Checkpoint checkpoint;
                List<PendingForce> root;
                synchronized (this) {
                    checkpoint = appendRoot(lastId() + 1, group, all, encoded);
                    root = takeUnflushed();
                }
                force(root);
                synchronized (this) {
                    retain(checkpoint);
                    reclaim();
                }
                committed.complete(checkpoint);
            } catch (Throwable e) {
                committed.completeExceptionally(e);
            }
        });
        return committed;
    }

    private Checkpoint commitRoot(long id, String group, List<RecordAddress> records) throws IOException {
        flush();
        Checkpoint checkpoint = appendRoot(id, group, records, RootRecord.encode(group, records));
        flush();
        retain(checkpoint);
        return checkpoint;
    }

    // Roots are written in increasing id order, which recovery relies on: the id is drawn as the root is written.
    private Checkpoint appendRoot(long id, String group, List<RecordAddress> records, byte[] root) throws IOException {
        if (id <= lastId()) {
            throw new IllegalArgumentException("checkpoint " + id + " does not follow checkpoint " + lastId());
        }
        Checkpoint checkpoint = new Checkpoint(id, group, records);
        if (id > identity.idCeiling) {
            identity = identity.reserving(id + StoreIdentity.ID_BLOCK);
            identity.write(directory);
        }
        RootRecord.setId(root, id);
        append(RecordFormat.ROOT, 0, root, 0, root.length);
        lastCommitted = id;
        return checkpoint;
    }

    // An asynchronous commit's root may be durable after a later synchronous one's: keep ids in order.
    private void retain(Checkpoint checkpoint) {
        if (checkpoints.isEmpty() || checkpoints.peekLast().id() < checkpoint.id()) {
            checkpoints.addLast(checkpoint);
            return;
        }
        List<Checkpoint> ordered = new ArrayList<>(checkpoints);
        ordered.add(checkpoint);
        ordered.sort(java.util.Comparator.comparingLong(Checkpoint::id));
        checkpoints.clear();
        checkpoints.addAll(ordered);
    }

    /** The payload of a record of a retained checkpoint. */
    public byte[] read(RecordAddress address) throws IOException {
        Segment segment;
        synchronized (this) {
            segment = segments.get(address.segment());
        }
        if (segment == null) {
            throw new IOException("segment " + address.segment() + " is no longer in the store (checkpoint dropped)");
        }
        ByteBuffer buffer = segment.buffer();
        int length = RecordFormat.validLength(buffer, address.offset(), segment.size);
        if (length != address.length()) {
            throw new IOException("record at segment " + address.segment() + " offset " + address.offset() + " is damaged");
        }
        byte[] payload = new byte[length];
        buffer.get(address.offset() + RecordFormat.HEADER_BYTES, payload);
        return payload;
    }

    @Override
    public void close() throws IOException {
        durability.shutdown();
        try {
            durability.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeSegments();
    }

    private synchronized void closeSegments() throws IOException {
        preparer.shutdownNow();
        Segment unused = takeSpare();
        if (unused != null) {
            unused.close();
            Files.deleteIfExists(unused.path);
        }
        for (Segment segment : segments.values()) {
            segment.close();
        }
        segments.clear();
    }

    private RecordAddress append(int type, int tag, byte[] payload, int offset, int length) throws IOException {
        int footprint = RecordFormat.footprint(length);
        if (footprint > options.segmentBytes() - Segment.HEADER_BYTES) {
            throw new StoreFullException("a record of " + length + " bytes does not fit in a segment of "
                    + options.segmentBytes() + " bytes; raise the segment size");
        }
        if (current == null || position + footprint > current.size) {
            nextSegment();
        }
        int at = position;
        RecordFormat.write(current.buffer(), at, type, tag, payload, offset, length);
        position += footprint;
        unflushed.merge(current.id, new int[] {at, position}, (a, b) -> new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        return new RecordAddress(current.id, at, length, tag);
    }

    private void flush() {
        force(takeUnflushed());
    }

    /** A range written since the last flush, to be forced to the medium. */
    private record PendingForce(Segment segment, int from, int to) {
    }

    private List<PendingForce> takeUnflushed() {
        List<PendingForce> pending = new ArrayList<>(unflushed.size());
        for (Map.Entry<Integer, int[]> range : unflushed.entrySet()) {
            Segment segment = segments.get(range.getKey());
            if (segment != null) {
                pending.add(new PendingForce(segment, range.getValue()[0], range.getValue()[1]));
            }
        }
        unflushed.clear();
        return pending;
    }

    // Forcing needs no lock: the mapping outlives a segment's deletion, and appends go to other bytes.
    private static void force(List<PendingForce> pending) {
        for (PendingForce range : pending) {
            range.segment().force(range.from(), range.to() - range.from());
        }
    }

    private void nextSegment() throws IOException {
        Segment prepared = takeSpare();
        if (prepared != null) {
            current = prepared.renamedTo(Segment.fileName(directory, prepared.id));
            segments.put(current.id, current);
            position = Segment.HEADER_BYTES;
            prepareSpare();
            return;
        }
        if (bytesOnDisk() + options.segmentBytes() > options.maxBytes()) {
            throw new StoreFullException("the store is full: " + segments.size() + " segments of " + options.segmentBytes()
                    + " bytes (at most " + options.maxBytes() + " bytes) hold the " + checkpoints.size()
                    + " retained checkpoints; raise the store size or retain fewer checkpoints");
        }
        int id = segments.isEmpty() ? 1 : segments.lastKey() + 1;
        try {
            current = Segment.create(Segment.fileName(directory, id), id, options.segmentBytes(), mapper);
        } catch (IOException e) {
            throw new StoreFullException("cannot allocate segment " + id + " of " + options.segmentBytes() + " bytes in "
                    + directory + ": " + e.getMessage(), e);
        }
        segments.put(id, current);
        position = Segment.HEADER_BYTES;
        prepareSpare();
    }

    // Writing a new segment's zeros takes as long as filling it, so the next one is prepared in
    // the background while this one fills; a checkpoint then only renames it into the log.
    private void prepareSpare() {
        if (bytesOnDisk() + 2L * options.segmentBytes() > options.maxBytes()) {
            return;
        }
        int id = segments.lastKey() + 1;
        Path path = Segment.spareName(directory, id);
        spare = preparer.submit(() -> Segment.create(path, id, options.segmentBytes(), mapper));
    }

    /** The prepared spare (waiting for it if it is still being written), or null when there is none or it failed. */
    private Segment takeSpare() {
        Future<Segment> pending = spare;
        spare = null;
        if (pending == null) {
            return null;
        }
        try {
            return pending.get();
        } catch (ExecutionException failed) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.CancellationException cancelled) {
            return null;
        }
    }

    private void reclaim() throws IOException {
        Map<String, Integer> newerInGroup = new HashMap<>();
        List<Checkpoint> newestFirst = new ArrayList<>(checkpoints);
        java.util.Collections.reverse(newestFirst);
        for (Checkpoint checkpoint : newestFirst) {
            if (newerInGroup.merge(checkpoint.group(), 1, Integer::sum) > options.retainCheckpoints()) {
                checkpoints.remove(checkpoint);
            }
        }
        while (true) {
            int oldestUsed = current.id;
            for (Checkpoint checkpoint : checkpoints) {
                for (RecordAddress record : checkpoint.records()) {
                    oldestUsed = Math.min(oldestUsed, record.segment());
                }
            }
            while (!segments.isEmpty() && segments.firstKey() < oldestUsed) {
                Segment old = segments.pollFirstEntry().getValue();
                old.close();
                Files.deleteIfExists(old.path);
            }
            int oldest = oldestUsed;
            List<Checkpoint> holding = checkpoints.stream()
                    .filter(c -> c.records().stream().anyMatch(r -> r.segment() == oldest)).toList();
            if (oldest >= current.id || holding.isEmpty() || !holding.stream().allMatch(c -> isRelocatable(c.group()))) {
                return;
            }
            for (Checkpoint checkpoint : holding) {
                relocate(checkpoint);
            }
        }
    }

    private boolean isRelocatable(String group) {
        return relocatablePrefixes.stream().anyMatch(group::startsWith);
    }

    // A copy is committed before the original is dropped: after a crash between the two, recovery
    // finds both, and the copy is the newer of its group.
    private void relocate(Checkpoint checkpoint) throws IOException {
        List<RecordAddress> copies = new ArrayList<>();
        for (RecordAddress record : checkpoint.records()) {
            byte[] payload = read(record);
            copies.add(append(RecordFormat.DATA, record.tag(), payload, 0, payload.length));
        }
        commitRoot(lastId() + 1, checkpoint.group(), copies);
        checkpoints.remove(checkpoint);
    }

    /** Where a record starts in the log: segment, then offset. */
    private record Position(int segment, int offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position other) {
            return segment != other.segment ? Integer.compare(segment, other.segment) : Integer.compare(offset, other.offset);
        }
    }

    /** Bytes between two valid records that are no record: a torn write at the end of the log, or damage. */
    private record Hole(Segment segment, int from, int to) {
    }

    /** A valid root whose checkpoint needs records that are damaged or gone. */
    private record LostRoot(Segment segment, int offset, int footprint, Checkpoint checkpoint) {
    }

    private void recover() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> p.getFileName().toString().matches("segment-\\d{8}\\.vgl")).sorted().toList();
        }
        try (Stream<Path> list = Files.list(directory)) {
            for (Path stale : list.filter(p -> p.getFileName().toString().endsWith(".spare")).toList()) {
                Files.delete(stale);
            }
        }
        List<String> damage = new ArrayList<>();
        boolean identityLost = false;
        try {
            identity = StoreIdentity.read(directory);
            if (identity == null && !files.isEmpty()) {
                damage.add(StoreIdentity.FILE + " is missing beside " + files.size() + " segments");
                identityLost = true;
            }
        } catch (IOException e) {
            damage.add(e.getMessage());
            identityLost = true;
        }
        List<Path> unreadable = new ArrayList<>();
        for (Path file : files) {
            Segment segment = Segment.open(file, mapper);
            if (segment == null) {
                unreadable.add(file);
                damage.add(file.getFileName() + " is not a whole segment of this store (its header is damaged or the file was cut)");
                continue;
            }
            segments.put(segment.id, segment);
        }

        Set<RecordAddress> intact = new HashSet<>();
        List<Checkpoint> found = new ArrayList<>();
        List<Hole> holes = new ArrayList<>();
        List<LostRoot> lost = new ArrayList<>();
        Position lastRoot = null;
        long highestId = 0;
        int rootSegment = -1;
        int rootEnd = 0;
        for (Segment segment : segments.values()) {
            ByteBuffer buffer = segment.buffer();
            int offset = Segment.HEADER_BYTES;
            while (offset + RecordFormat.HEADER_BYTES <= segment.size) {
                int length = RecordFormat.validLength(buffer, offset, segment.size);
                if (length < 0) {
                    int next = nextValidRecord(buffer, offset + 8, segment.size);
                    if (next < 0) {
                        break;
                    }
                    holes.add(new Hole(segment, offset, next));
                    offset = next;
                    continue;
                }
                int footprint = RecordFormat.footprint(length);
                intact.add(new RecordAddress(segment.id, offset, length, 0));
                if (RecordFormat.type(buffer, offset) == RecordFormat.ROOT) {
                    lastRoot = new Position(segment.id, offset);
                    Checkpoint checkpoint = RootRecord.decode(buffer, offset + RecordFormat.HEADER_BYTES, length);
                    if (checkpoint == null) {
                        lost.add(new LostRoot(segment, offset, footprint, null));
                    } else {
                        highestId = Math.max(highestId, checkpoint.id());
                        boolean complete = (found.isEmpty() || checkpoint.id() > found.get(found.size() - 1).id())
                                && checkpoint.records().stream().allMatch(r -> intact.contains(new RecordAddress(r.segment(), r.offset(), r.length(), 0)));
                        if (complete) {
                            found.add(checkpoint);
                            rootSegment = segment.id;
                            rootEnd = offset + footprint;
                        } else {
                            lost.add(new LostRoot(segment, offset, footprint, checkpoint));
                        }
                    }
                }
                offset += footprint;
            }
        }
        // A hole after the last root is a write a crash cut short; before a root that was made
        // durable after it, it is damage to what was durable.
        Position end = lastRoot;
        List<Hole> damaged = holes.stream().filter(h -> end != null && new Position(h.segment().id, h.from()).compareTo(end) < 0).toList();
        for (Hole hole : damaged) {
            damage.add(hole.segment().path.getFileName() + " bytes " + hole.from() + " to " + hole.to() + " are no valid record");
        }
        for (LostRoot root : lost) {
            damage.add(root.checkpoint() == null
                    ? root.segment().path.getFileName() + " offset " + root.offset() + " holds a checkpoint root that cannot be decoded"
                    : "checkpoint " + root.checkpoint().id() + " (" + root.checkpoint().group() + ") needs records that are damaged or gone");
        }
        if (!damage.isEmpty()) {
            if (!options.discardDamaged()) {
                throw new StoreDamagedException(directory, damage);
            }
            discard(unreadable, damaged, lost);
            discarded = List.copyOf(damage);
        }
        if (identity == null || identityLost) {
            // A new store, or one whose incarnation is lost: handles from before cannot be trusted to name its checkpoints.
            identity = StoreIdentity.fresh();
        }
        idFloor = Math.max(identity.idCeiling, highestId);
        identity = identity.reserving(idFloor);
        identity.write(directory);

        checkpoints.addAll(found);
        if (!found.isEmpty()) {
            lastCommitted = found.get(found.size() - 1).id();
        }
        eraseAfter(rootSegment, rootEnd);
        if (!checkpoints.isEmpty()) {
            reclaim();
        }
        if (current == null) {
            nextSegment();
        }
    }

    /** The offset of the next valid record at or after {@code from} (8-byte aligned), or -1. */
    private static int nextValidRecord(ByteBuffer buffer, int from, int size) {
        for (int offset = from; offset + RecordFormat.HEADER_BYTES <= size; offset += 8) {
            if (buffer.getInt(offset) == RecordFormat.MAGIC && RecordFormat.validLength(buffer, offset, size) >= 0) {
                return offset;
            }
        }
        return -1;
    }

    // Told to discard damage: unreadable segments are set aside under another name, and damaged bytes
    // and roots that can no longer be honoured are covered with void records, so the log reads whole
    // again and the next opening finds nothing to report.
    private void discard(List<Path> unreadable, List<Hole> holes, List<LostRoot> lost) throws IOException {
        for (Path file : unreadable) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".damaged"));
        }
        for (Hole hole : holes) {
            cover(hole.segment(), hole.from(), hole.to() - hole.from());
        }
        for (LostRoot root : lost) {
            cover(root.segment(), root.offset(), root.footprint());
        }
    }

    private static void cover(Segment segment, int offset, int footprint) {
        ByteBuffer buffer = segment.buffer();
        if (footprint >= RecordFormat.HEADER_BYTES) {
            RecordFormat.write(buffer, offset, RecordFormat.VOID, 0, new byte[footprint - RecordFormat.HEADER_BYTES], 0,
                    footprint - RecordFormat.HEADER_BYTES);
        } else {
            for (int i = 0; i < footprint; i++) {
                buffer.put(offset + i, (byte) 0);
            }
        }
        segment.force(offset, footprint);
    }

    // Everything after the last complete root is an unfinished checkpoint or damage: erase it, so
    // new records follow the root and no later scan can mistake old bytes for new ones.
    private void eraseAfter(int rootSegment, int rootEnd) throws IOException {
        for (Segment segment : List.copyOf(segments.values())) {
            if (rootSegment < 0 || segment.id > rootSegment) {
                segments.remove(segment.id);
                segment.close();
                Files.deleteIfExists(segment.path);
            }
        }
        current = rootSegment < 0 ? null : segments.get(rootSegment);
        position = rootEnd;
        if (current != null && rootEnd < current.size) {
            ByteBuffer buffer = current.buffer();
            for (int i = rootEnd; i < current.size; i += 8) {
                buffer.putLong(i, 0L);
            }
            current.force(rootEnd, current.size - rootEnd);
        }
    }
}
