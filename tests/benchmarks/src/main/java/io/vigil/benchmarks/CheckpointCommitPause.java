package io.vigil.benchmarks;

import io.vigil.state.Checkpoint;
import io.vigil.state.CheckpointStore;
import io.vigil.state.RecordAddress;
import io.vigil.state.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * What making a checkpoint durable costs the thread that takes it, side by side in one run: the
 * store's synchronous commit (records forced, root written and forced before it returns) against
 * its asynchronous commit (the durability thread does both; the caller only hands the records
 * over), on tmpfs and on disk. Between checkpoints, 10 ms apart, the caller appends 1 MiB of input
 * log in 4 KiB records, as a shard does; each checkpoint names that log, a meta record and 64 KiB of
 * held events.
 *
 * <pre>java -cp tests/benchmarks/target/benchmarks.jar io.vigil.benchmarks.CheckpointCommitPause [tmpfs-dir] [disk-dir]</pre>
 */
public final class CheckpointCommitPause {
    private static final int CHECKPOINTS = 300;
    private static final int LOG_RECORDS = 256;
    private static final StoreOptions OPTIONS = new StoreOptions(64 << 20, 4L << 30, 3);

    private CheckpointCommitPause() {
    }

    public static void main(String[] args) throws Exception {
        Path tmpfs = Path.of(args.length > 0 ? args[0] : "/dev/shm/vigil-commit-bench");
        Path disk = Path.of(args.length > 1 ? args[1] : "target/vigil-commit-bench");
        System.out.printf(Locale.ROOT, "| store | commit | caller's pause p50 / p99 / max (ms) | to durable p50 / p99 (ms) |%n|---|---|---:|---:|%n");
        for (int round = 0; round < 2; round++) {
            boolean report = round == 1; // the first round warms up the JIT and the page cache
            for (Path directory : List.of(tmpfs, disk)) {
                String where = directory == tmpfs ? "tmpfs" : "disk (ext4)";
                run(report, where, "synchronous", directory, false);
                run(report, where, "asynchronous", directory, true);
            }
        }
        clean(tmpfs);
        clean(disk);
    }

    private static void run(boolean report, String where, String how, Path directory, boolean async) throws Exception {
        clean(directory);
        byte[] log = new byte[4 << 10];
        byte[] held = new byte[64 << 10];
        new Random(3).nextBytes(log);
        new Random(5).nextBytes(held);
        Histogram pause = new Histogram(3);
        Histogram durable = new Histogram(3);
        List<CompletableFuture<Checkpoint>> pending = new ArrayList<>();
        List<Long> started = new ArrayList<>();
        try (CheckpointStore store = CheckpointStore.open(directory, OPTIONS)) {
            long nextAt = System.nanoTime();
            for (int c = 0; c < CHECKPOINTS; c++) {
                List<RecordAddress> records = new ArrayList<>();
                for (int i = 0; i < LOG_RECORDS; i++) {
                    records.add(store.append(2, log));
                }
                long start = System.nanoTime();
                records.add(0, store.append(1, new byte[64]));
                records.add(store.append(5, held));
                if (async) {
                    CompletableFuture<Checkpoint> committed = store.commitNextAsync("shard", records, List::of);
                    pause.recordValue((System.nanoTime() - start) / 1000);
                    committed.thenRun(() -> durable.recordValue((System.nanoTime() - start) / 1000));
                    pending.add(committed);
                    started.add(start);
                } else {
                    store.commitNext("shard", records);
                    long took = (System.nanoTime() - start) / 1000;
                    pause.recordValue(took);
                    durable.recordValue(took);
                }
                nextAt += 10_000_000;
                LockSupport.parkNanos(nextAt - System.nanoTime());
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        }
        if (report) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f / %.3f / %.3f | %.2f / %.2f |%n", where, how,
                    pause.getValueAtPercentile(50) / 1000.0, pause.getValueAtPercentile(99) / 1000.0, pause.getMaxValue() / 1000.0,
                    durable.getValueAtPercentile(50) / 1000.0, durable.getValueAtPercentile(99) / 1000.0);
        }
    }

    private static void clean(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
