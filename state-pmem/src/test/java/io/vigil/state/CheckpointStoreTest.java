package io.vigil.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    static final StoreOptions SMALL = new StoreOptions(64 << 10, 16L << 20, 3);

    @TempDir
    Path dir;

    static byte[] payload(long checkpoint, int shard, int size) {
        byte[] bytes = new byte[size];
        new Random(checkpoint * 31 + shard).nextBytes(bytes);
        byte[] label = ("cp" + checkpoint + "/shard" + shard).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(label, 0, bytes, 0, Math.min(label.length, size));
        return bytes;
    }

    /** Commits checkpoint {@code id}, or the store's next id when it has handed out {@code id} already (after a reopening). */
    static Checkpoint write(CheckpointStore store, long id, int shards, int size) throws IOException {
        id = Math.max(id, store.lastId() + 1);
        List<RecordAddress> records = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            records.add(store.append(s, payload(id, s, size)));
        }
        return store.commit(id, records);
    }

    static void assertHolds(CheckpointStore store, Checkpoint checkpoint, int size) throws IOException {
        for (RecordAddress record : checkpoint.records()) {
            assertThat(store.read(record)).isEqualTo(payload(checkpoint.id(), record.tag(), size));
        }
    }

    @Test
    void reportsItsDurabilityModeAndWhy() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            write(store, 1, 1, 10);
            assertThat(store.mode()).isNotNull();
            assertThat(store.modeReason()).contains("READ_WRITE_SYNC");
            if (store.mode() == DurabilityMode.MAPPED_FORCE) {
                assertThat(store.modeReason()).contains("not a DAX file system");
            }
        }
    }

    @Test
    void committedCheckpointsSurviveReopening() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.latest()).isEmpty();
            for (long id = 1; id <= 3; id++) {
                write(store, id, 4, 1000);
            }
        }
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.checkpoints()).extracting(Checkpoint::id).containsExactly(1L, 2L, 3L);
            Checkpoint latest = store.latest().orElseThrow();
            assertThat(latest.records()).filteredOn(r -> r.tag() == 2).hasSize(1);
            assertHolds(store, latest, 1000);
            Checkpoint next = write(store, 4, 4, 1000);
            assertThat(next.id()).isGreaterThan(3);
            assertHolds(store, next, 1000);
        }
    }

    @Test
    void anUnfinishedCheckpointIsIgnored() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            write(store, 1, 2, 500);
            store.append(0, payload(2, 0, 500));
            store.append(1, payload(2, 1, 500));
        }
        Checkpoint second;
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.latest().orElseThrow().id()).isEqualTo(1);
            assertHolds(store, store.latest().orElseThrow(), 500);
            second = write(store, 2, 2, 500);
        }
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.latest().orElseThrow().id()).isEqualTo(second.id());
            assertHolds(store, store.latest().orElseThrow(), 500);
        }
    }

    /**
     * A crash can cut the last checkpoint anywhere, and a torn root is a crash too: the store lands on
     * the checkpoint before, silently. A changed byte in a record the last root made durable is
     * damage: the store refuses to open, naming the checkpoint, and changes nothing; told to discard
     * it, it lands on the checkpoint before and repairs the log, so the next opening finds it whole.
     */
    @Test
    void cuttingOrCorruptingTheLastCheckpointAtEveryOffsetLandsOnTheOneBeforeOrIsNamedAsDamage() throws IOException {
        Path base = dir.resolve("base");
        long lastStart;
        long rootStart;
        long meaningfulEnd;
        long lastEnd;
        try (CheckpointStore store = CheckpointStore.open(base, SMALL)) {
            write(store, 1, 2, 200);
            Checkpoint second = write(store, 2, 2, 200);
            lastStart = second.records().get(0).offset();
            rootStart = RecordFormatProbe.rootOffset(store);
            meaningfulEnd = RecordFormatProbe.rootPayloadEnd(store);
            lastEnd = RecordFormatProbe.rootFootprintEnd(store);
        }
        Path segment = onlySegment(base);
        byte[] original = Files.readAllBytes(segment);
        for (long at = lastStart; at < lastEnd; at++) {
            // Cutting inside the root's trailing zero padding changes nothing, so cuts stop where its payload ends.
            for (String damage : at < meaningfulEnd ? List.of("cut", "flip") : List.of("flip")) {
                Path copy = dir.resolve(damage + "-" + at);
                Files.createDirectories(copy);
                byte[] bytes = original.clone();
                if (damage.equals("cut")) {
                    for (int i = (int) at; i < lastEnd; i++) {
                        bytes[i] = 0;
                    }
                } else {
                    bytes[(int) at] ^= 0x5A;
                }
                Files.write(copy.resolve(segment.getFileName()), bytes);
                Files.copy(base.resolve(StoreIdentity.FILE), copy.resolve(StoreIdentity.FILE));
                String what = damage + " at " + at;
                if (damage.equals("flip") && at < rootStart) {
                    assertThatThrownBy(() -> CheckpointStore.open(copy, SMALL)).as(what).isInstanceOf(StoreDamagedException.class)
                            .hasMessageContaining("checkpoint 2 () needs records that are damaged or gone");
                    assertThat(Files.readAllBytes(copy.resolve(segment.getFileName()))).as("untouched after " + what).isEqualTo(bytes);
                    try (CheckpointStore store = CheckpointStore.open(copy, SMALL.discardingDamage())) {
                        assertThat(store.discardedDamage()).as(what).isNotEmpty();
                        assertThat(store.latest().orElseThrow().id()).as(what).isEqualTo(1);
                    }
                }
                try (CheckpointStore store = CheckpointStore.open(copy, SMALL)) {
                    Checkpoint latest = store.latest().orElseThrow();
                    assertThat(latest.id()).as(what).isEqualTo(1);
                    assertThat(store.discardedDamage()).as(what).isEmpty();
                    assertHolds(store, latest, 200);
                }
                deleteTree(copy);
            }
        }
    }

    @Test
    void randomDamageNeverYieldsGarbage() throws IOException {
        Path base = dir.resolve("base");
        try (CheckpointStore store = CheckpointStore.open(base, SMALL)) {
            for (long id = 1; id <= 6; id++) {
                write(store, id, 3, 3000);
            }
        }
        Random random = new Random(42);
        List<Path> files;
        try (Stream<Path> list = Files.list(base)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".vgl")).sorted().toList();
        }
        for (int trial = 0; trial < 200; trial++) {
            Path copy = dir.resolve("trial-" + trial);
            Files.createDirectories(copy);
            for (Path file : files) {
                byte[] bytes = Files.readAllBytes(file);
                for (int hits = 0; hits < 1 + random.nextInt(4); hits++) {
                    if (random.nextBoolean()) {
                        bytes[Segment.HEADER_BYTES + random.nextInt(bytes.length - Segment.HEADER_BYTES)] ^= (byte) (1 + random.nextInt(255));
                    }
                }
                Files.write(copy.resolve(file.getFileName()), bytes);
            }
            Files.copy(base.resolve(StoreIdentity.FILE), copy.resolve(StoreIdentity.FILE));
            try (CheckpointStore store = CheckpointStore.open(copy, SMALL)) {
                for (Checkpoint checkpoint : store.checkpoints()) {
                    assertHolds(store, checkpoint, 3000);
                }
            } catch (StoreDamagedException refused) {
                assertThat(refused.damage()).isNotEmpty();
            }
            try (CheckpointStore store = CheckpointStore.open(copy, SMALL.discardingDamage())) {
                for (Checkpoint checkpoint : store.checkpoints()) {
                    assertHolds(store, checkpoint, 3000);
                }
            }
            try (CheckpointStore store = CheckpointStore.open(copy, SMALL)) {
                assertThat(store.discardedDamage()).as("repaired by the discarding opening").isEmpty();
            }
            deleteTree(copy);
        }
    }

    @Test
    void aStoreTooSmallFailsClearlyAndKeepsThePreviousCheckpoint() throws IOException {
        StoreOptions tiny = new StoreOptions(8192, 16384, 1);
        try (CheckpointStore store = CheckpointStore.open(dir, tiny)) {
            write(store, 1, 1, 3000);
            write(store, 2, 1, 3000);
            assertThatThrownBy(() -> write(store, 3, 3, 3000))
                    .isInstanceOf(StoreFullException.class)
                    .hasMessageContaining("the store is full");
            assertThatThrownBy(() -> store.append(0, new byte[9000]))
                    .isInstanceOf(StoreFullException.class)
                    .hasMessageContaining("does not fit in a segment");
            assertThat(store.latest().orElseThrow().id()).isEqualTo(2);
        }
        try (CheckpointStore store = CheckpointStore.open(dir, tiny)) {
            assertThat(store.latest().orElseThrow().id()).isEqualTo(2);
            assertHolds(store, store.latest().orElseThrow(), 3000);
        }
    }

    @Test
    void olderCheckpointsAreDroppedAndTheirSegmentsDeleted() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            for (long id = 1; id <= 40; id++) {
                write(store, id, 4, 4000);
            }
            assertThat(store.checkpoints()).extracting(Checkpoint::id).containsExactly(38L, 39L, 40L);
            assertThat(store.bytesOnDisk()).isLessThanOrEqualTo(4L * SMALL.segmentBytes());
            for (Checkpoint checkpoint : store.checkpoints()) {
                assertHolds(store, checkpoint, 4000);
            }
        }
        try (Stream<Path> list = Files.list(dir)) {
            assertThat(list.filter(f -> f.getFileName().toString().endsWith(".vgl")).count()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void retentionCountsPerGroupAndReleaseDropsOlderOnes() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            long id = 0;
            for (int round = 0; round < 5; round++) {
                for (int group = 0; group < 3; group++) {
                    store.commit(++id, "group " + group, List.of(store.append(group, payload(id, group, 100))));
                }
            }
            for (int group = 0; group < 3; group++) {
                String g = "group " + group;
                assertThat(store.checkpoints().stream().filter(c -> c.group().equals(g)).count()).isEqualTo(3);
            }
            long newestOfGroup1 = store.latest("group 1").orElseThrow().id();
            store.release("group 1", newestOfGroup1);
            assertThat(store.checkpoints().stream().filter(c -> c.group().equals("group 1"))).extracting(Checkpoint::id)
                    .containsExactly(newestOfGroup1);
            assertThatThrownBy(() -> store.commit(3, "group 0", List.of())).isInstanceOf(IllegalArgumentException.class);
        }
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.latest("group 2").orElseThrow().id()).isEqualTo(15);
            assertThat(store.lastId()).isGreaterThanOrEqualTo(15);
        }
    }

    @Test
    void groupsWhoseHashesCollideKeepTheirCheckpointsApart() throws IOException {
        assertThat("Aa".hashCode()).as("the two keys collide as hashes").isEqualTo("BB".hashCode());
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            for (int round = 0; round < 5; round++) {
                store.commitNext("Aa", List.of(store.append(1, payload(round, 1, 100))));
                store.commitNext("BB", List.of(store.append(2, payload(round, 2, 100))));
            }
            long newestOfAa = store.latest("Aa").orElseThrow().id();
            store.release("Aa", newestOfAa);
            assertThat(store.checkpoints()).filteredOn(c -> c.group().equals("Aa")).extracting(Checkpoint::id)
                    .containsExactly(newestOfAa);
            assertThat(store.checkpoints()).as("releasing Aa's keeps all of BB's retained")
                    .filteredOn(c -> c.group().equals("BB")).hasSize(3);
        }
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.checkpoints()).as("keys survive recovery exactly").extracting(Checkpoint::group)
                    .containsExactly("Aa", "BB", "Aa", "BB", "Aa", "BB");
        }
    }

    @Test
    void aSegmentOfAnotherStoreFormatIsRefusedWithItsFormat() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            write(store, 1, 1, 100);
        }
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.filter(f -> f.getFileName().toString().endsWith(".vgl")).findFirst().orElseThrow();
        }
        try (var channel = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.allocate(4).putInt(0, 1), 8);
        }
        assertThatThrownBy(() -> CheckpointStore.open(dir, SMALL)).isInstanceOf(IOException.class)
                .hasMessageContaining("store format 1").hasMessageContaining("reads format 3");
        assertThat(segment).as("nothing erased").exists();
    }

    @Test
    void shardsCommittingFromManyThreadsGetDistinctIncreasingIds() throws Exception {
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int group = 0; group < 4; group++) {
                int g = group;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < 50; i++) {
                            store.commitNext("shard " + g, List.of(store.append(g, payload(i, g, 64))));
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(failures).isEmpty();
            assertThat(store.lastId()).isEqualTo(200);
        }
    }

    @Test
    void idsAreNeverHandedOutTwiceEvenWhenACrashLosesTheLastCheckpoint() throws IOException {
        long lost;
        long rootStart;
        long rootEnd;
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            write(store, 1, 1, 100);
            write(store, 2, 1, 100);
            rootStart = RecordFormatProbe.rootOffset(store);
            rootEnd = RecordFormatProbe.rootFootprintEnd(store);
            lost = store.latest().orElseThrow().id();
        }
        // As a crash cutting the root short: the checkpoint is gone, and so must its id be.
        Path segment = onlySegment(dir);
        byte[] bytes = Files.readAllBytes(segment);
        java.util.Arrays.fill(bytes, (int) rootStart, (int) rootEnd, (byte) 0);
        Files.write(segment, bytes);
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.latest().orElseThrow().id()).isEqualTo(1);
            assertThat(store.commitNext("", List.of(store.append(0, payload(9, 0, 10)))).id()).isGreaterThan(lost);
        }
    }

    @Test
    void damageInTheMiddleStopsTheOpeningNamingItAndDiscardingKeepsEveryIntactCheckpoint() throws IOException {
        RecordAddress damaged;
        long lostId;
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            store.commitNext("a", List.of(store.append(1, payload(1, 1, 300))));
            damaged = store.append(2, payload(2, 2, 300));
            lostId = store.commitNext("b", List.of(damaged)).id();
            store.commitNext("a", List.of(store.append(1, payload(3, 1, 300))));
            store.commitNext("b", List.of(store.append(2, payload(4, 2, 300))));
            store.commitNext("a", List.of(store.append(1, payload(5, 1, 300))));
        }
        Path segment = onlySegment(dir);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[damaged.offset() + RecordFormat.HEADER_BYTES + 100] ^= 0x01;
        Files.write(segment, bytes);

        assertThatThrownBy(() -> CheckpointStore.open(dir, SMALL)).isInstanceOf(StoreDamagedException.class)
                .hasMessageContaining("checkpoint " + lostId + " (b) needs records that are damaged or gone")
                .hasMessageContaining("--discard-damaged-checkpoints");
        assertThat(Files.readAllBytes(segment)).as("a refused opening changes nothing").isEqualTo(bytes);
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL.discardingDamage())) {
            assertThat(store.discardedDamage()).anySatisfy(line -> assertThat(line).contains("checkpoint " + lostId + " (b)"));
            assertThat(store.checkpoints()).extracting(Checkpoint::group).containsExactly("a", "a", "b", "a");
            assertThat(store.checkpoints()).extracting(Checkpoint::id).doesNotContain(lostId);
        }
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.discardedDamage()).isEmpty();
            assertThat(store.checkpoints()).extracting(Checkpoint::group).containsExactly("a", "a", "b", "a");
        }
    }

    @Test
    void aDamagedSegmentHeaderOrIdentityStopsTheOpeningUntilToldToDiscard() throws IOException {
        long incarnation;
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            write(store, 1, 1, 100);
            incarnation = store.incarnation();
        }
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL)) {
            assertThat(store.incarnation()).as("an incarnation lasts as long as its store").isEqualTo(incarnation);
        }
        Path segment = onlySegment(dir);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[20] ^= 0x01;
        bytes[3] ^= 0x01;
        Files.write(segment, bytes);
        assertThatThrownBy(() -> CheckpointStore.open(dir, SMALL)).isInstanceOf(StoreDamagedException.class)
                .hasMessageContaining(segment.getFileName() + " is not a whole segment of this store");
        assertThat(segment).exists();

        Files.delete(dir.resolve(StoreIdentity.FILE));
        assertThatThrownBy(() -> CheckpointStore.open(dir, SMALL)).isInstanceOf(StoreDamagedException.class)
                .hasMessageContaining("store.id is missing");
        try (CheckpointStore store = CheckpointStore.open(dir, SMALL.discardingDamage())) {
            assertThat(store.checkpoints()).isEmpty();
            assertThat(store.incarnation()).as("handles from before cannot name this store's checkpoints").isNotEqualTo(incarnation);
            assertThat(dir.resolve(segment.getFileName() + ".damaged")).as("set aside, not erased").exists();
        }
    }

    @Test
    void aLongLivedRecordOfARelocatableGroupDoesNotHoldEverySegmentAfterIt() throws IOException {
        for (boolean relocatable : new boolean[] {false, true}) {
            Path store = dir.resolve("relocatable-" + relocatable);
            long bytes;
            try (CheckpointStore checkpoints = CheckpointStore.open(store, SMALL)) {
                if (relocatable) {
                    checkpoints.relocatable("deployment/");
                }
                checkpoints.commitNext("deployment/rules", List.of(checkpoints.append(9, payload(0, 9, 500))));
                for (int i = 1; i <= 300; i++) {
                    Checkpoint shard = checkpoints.commitNext("shard/0/rules", List.of(checkpoints.append(1, payload(i, 1, 2000))));
                    checkpoints.release("shard/0/rules", shard.id());
                }
                bytes = checkpoints.bytesOnDisk();
                Checkpoint record = checkpoints.latest("deployment/rules").orElseThrow();
                assertThat(checkpoints.read(record.records().get(0))).isEqualTo(payload(0, 9, 500));
            }
            if (relocatable) {
                assertThat(bytes).as("copied forward, the record frees its segment").isLessThanOrEqualTo(3L * SMALL.segmentBytes());
                try (CheckpointStore reopened = CheckpointStore.open(store, SMALL)) {
                    Checkpoint record = reopened.latest("deployment/rules").orElseThrow();
                    assertThat(reopened.read(record.records().get(0))).isEqualTo(payload(0, 9, 500));
                }
            } else {
                assertThat(bytes).as("held in place, the record keeps every segment after its own").isGreaterThan(8L * SMALL.segmentBytes());
            }
        }
    }

    @Test
    void forgottenGroupsGiveTheirSegmentsBack() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, new StoreOptions(64 << 10, 16L << 20, 100))) {
            for (int i = 1; i <= 60; i++) {
                store.commitNext("shard/0/gone", List.of(store.append(1, payload(i, 1, 3000))));
            }
            store.commitNext("shard/0/stays", List.of(store.append(2, payload(0, 2, 100))));
            for (int i = 1; i <= 30; i++) {
                store.commitNext("shard/1/stays", List.of(store.append(3, payload(i, 3, 3000))));
            }
            long before = store.bytesOnDisk();
            store.forget(group -> group.endsWith("/gone"));
            assertThat(store.checkpoints()).extracting(Checkpoint::group).doesNotContain("shard/0/gone").contains("shard/0/stays");
            assertThat(store.bytesOnDisk()).isLessThan(before);
        }
    }

    static Path onlySegment(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            List<Path> files = list.filter(f -> f.getFileName().toString().endsWith(".vgl")).toList();
            assertThat(files).hasSize(1);
            return files.get(0);
        }
    }

    static void deleteTree(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(p);
            }
        }
    }
}
