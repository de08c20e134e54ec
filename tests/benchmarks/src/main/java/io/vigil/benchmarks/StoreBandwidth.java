package io.vigil.benchmarks;

import io.vigil.state.Checkpoint;
import io.vigil.state.CheckpointStore;
import io.vigil.state.RecordAddress;
import io.vigil.state.StoreOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Checkpoint write bandwidth and recovery time, side by side in one run: the mapped
 * {@link CheckpointStore} on tmpfs (standing in for persistent memory) and on disk, against
 * {@code FileChannel.write} + {@code force} on the same file systems and against keeping snapshots
 * only in memory. Each run writes 1 GiB as checkpoints of 64 shard snapshots of 4 MiB, durable
 * at every commit; recovery reopens a store holding 1 GiB of state and reads all of it back.
 *
 * <pre>java -cp tests/benchmarks/target/benchmarks.jar io.vigil.benchmarks.StoreBandwidth [tmpfs-dir] [disk-dir]</pre>
 */
public final class StoreBandwidth {
    private static final int SNAPSHOT_BYTES = 4 << 20;
    private static final int SHARDS = 64;
    private static final long TOTAL_BYTES = 1L << 30;
    private static final StoreOptions OPTIONS = new StoreOptions(256 << 20, 4L << 30, 2);

    private StoreBandwidth() {
    }

    public static void main(String[] args) throws IOException {
        Path tmpfs = Path.of(args.length > 0 ? args[0] : "/dev/shm/vigil-store-bench");
        Path disk = Path.of(args.length > 1 ? args[1] : "target/vigil-store-bench");
        byte[] snapshot = new byte[SNAPSHOT_BYTES];
        new Random(7).nextBytes(snapshot);
        System.out.printf(Locale.ROOT, "| target | write (GB/s) |%n|---|---:|%n");
        for (int round = 0; round < 2; round++) {
            boolean report = round == 1; // the first round warms up the JIT and the page cache
            row(report, "in memory only (copy into heap buffers)", memory(snapshot));
            row(report, "mapped store on tmpfs", store(tmpfs, snapshot));
            row(report, "FileChannel.write + force on tmpfs", channel(tmpfs, snapshot));
            row(report, "mapped store on disk (ext4)", store(disk, snapshot));
            row(report, "FileChannel.write + force on disk (ext4)", channel(disk, snapshot));
        }
        System.out.printf(Locale.ROOT, "%n| recovery of 1 GiB | seconds |%n|---|---:|%n");
        System.out.printf(Locale.ROOT, "| tmpfs | %.2f |%n", recover(tmpfs, snapshot));
        System.out.printf(Locale.ROOT, "| disk (ext4, page cache dropped only by the OS) | %.2f |%n", recover(disk, snapshot));
        clean(tmpfs);
        clean(disk);
    }

    private static void row(boolean report, String name, double gigabytesPerSecond) {
        if (report) {
            System.out.printf(Locale.ROOT, "| %s | %.2f |%n", name, gigabytesPerSecond);
        }
    }

    private static double memory(byte[] snapshot) {
        List<ByteBuffer> kept = new ArrayList<>();
        long start = System.nanoTime();
        for (long written = 0; written < TOTAL_BYTES; written += SNAPSHOT_BYTES) {
            ByteBuffer copy = ByteBuffer.allocate(SNAPSHOT_BYTES);
            copy.put(snapshot);
            kept.add(copy);
            if (kept.size() > SHARDS * 2) {
                kept.remove(0);
            }
        }
        return gbps(start);
    }

    private static double store(Path dir, byte[] snapshot) throws IOException {
        clean(dir);
        long start;
        try (CheckpointStore store = CheckpointStore.open(dir, OPTIONS)) {
            start = System.nanoTime();
            long checkpoint = 0;
            for (long written = 0; written < TOTAL_BYTES; ) {
                List<RecordAddress> records = new ArrayList<>();
                for (int s = 0; s < SHARDS && written < TOTAL_BYTES; s++, written += SNAPSHOT_BYTES) {
                    records.add(store.append(s, snapshot));
                }
                store.commit(++checkpoint, records);
            }
        }
        return gbps(start);
    }

    private static double channel(Path dir, byte[] snapshot) throws IOException {
        clean(dir);
        Files.createDirectories(dir);
        long start = System.nanoTime();
        try (FileChannel file = FileChannel.open(dir.resolve("snapshots.bin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(snapshot);
            for (long written = 0; written < TOTAL_BYTES; written += SNAPSHOT_BYTES) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    file.write(buffer);
                }
                if ((written / SNAPSHOT_BYTES + 1) % SHARDS == 0) {
                    file.force(false);
                }
            }
            file.force(false);
        }
        return gbps(start);
    }

    private static double recover(Path dir, byte[] snapshot) throws IOException {
        clean(dir);
        StoreOptions holdAll = new StoreOptions(256 << 20, 4L << 30, 1);
        try (CheckpointStore store = CheckpointStore.open(dir, holdAll)) {
            List<RecordAddress> records = new ArrayList<>();
            for (int s = 0; s < TOTAL_BYTES / SNAPSHOT_BYTES; s++) {
                records.add(store.append(s, snapshot));
            }
            store.commit(1, records);
        }
        long start = System.nanoTime();
        long read = 0;
        try (CheckpointStore store = CheckpointStore.open(dir, holdAll)) {
            Checkpoint latest = store.latest().orElseThrow();
            for (RecordAddress record : latest.records()) {
                read += store.read(record).length;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (read != TOTAL_BYTES) {
            throw new IllegalStateException("recovered " + read + " bytes, wrote " + TOTAL_BYTES);
        }
        return seconds;
    }

    private static double gbps(long startNanos) {
        return TOTAL_BYTES / ((System.nanoTime() - startNanos) / 1e9) / 1e9;
    }

    private static void clean(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(p);
            }
        }
    }
}
