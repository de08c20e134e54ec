package io.vigil.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.state.CheckpointStore;
import io.vigil.state.StoreOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log-replayed shard's checkpoint names its input log within the horizon by whole chunks, so
 * its root stays small however long the log; a restore replays exactly that log in order, led by
 * the clock advance before it, after the store has reclaimed everything older — segments that hold
 * a chunk's records but not its index included — and a restored shard's later checkpoints still do.
 */
class ShardStateLogTest {
    static final ColumnarBatch NONE_HELD = new ColumnarBatch(ShardStateIncrementsTest.HELD_SCHEMA, 1);
    static final long HORIZON = 10_000;

    @TempDir
    Path dir;

    @Test
    void aCheckpointNamesWholeChunksAndRestoresExactlyTheLogWithinTheHorizon() throws Exception {
        // Small segments, so a chunk's records and its index land in different ones and old ones are reclaimed.
        try (CheckpointStore store = CheckpointStore.open(dir, new StoreOptions(64 << 10, 256L << 20, 2))) {
            ShardState state = new ShardState(store, "rules");
            Clock clock = new Clock();
            List<Long> logged = new ArrayList<>();
            StateHandle last = null;
            long time = 0;
            for (int checkpoint = 1; checkpoint <= 12; checkpoint++) {
                for (int i = 0; i < 1_500; i++) {
                    time += 3;
                    if (i % 10 == 0) {
                        state.logAdvance(time, 0);
                        logged.add(-time);
                    } else {
                        state.logBatch(frame(time), 8, time);
                        logged.add(time);
                    }
                }
                clock.time = time;
                last = state.checkpoint("job", checkpoint, 1, clock, HORIZON, NONE_HELD, Long.MIN_VALUE, List.of()).join();
                state.release(checkpoint - 1);
            }
            int rootRecords = store.checkpoint(last.getStoreCheckpoint()).orElseThrow().records().size();
            List<Long> expected = withinHorizon(logged, time - HORIZON);
            assertThat(expected.size()).as("records within the horizon").isGreaterThan(ShardState.LOG_CHUNK * 3);
            assertThat(rootRecords).as("a root much smaller than the %d records it names", logged.size())
                    .isLessThan(2 * ShardState.LOG_CHUNK + logged.size() / ShardState.LOG_CHUNK + 4);

            Replayed replayed = new Replayed();
            state.restore(last).replay(new Clock(), replayed);
            assertThat(replayed.records).isEqualTo(expected);

            // The restored log goes on, and a checkpoint of it restores the same way.
            for (int i = 0; i < 2_000; i++) {
                time += 3;
                state.logBatch(frame(time), 8, time);
                logged.add(time);
            }
            clock.time = time;
            StateHandle after = state.checkpoint("job", 13, 1, clock, 100_000, NONE_HELD, Long.MIN_VALUE, List.of()).join();
            Replayed again = new Replayed();
            state.restore(after).replay(new Clock(), again);
            List<Long> restoredThenLogged = new ArrayList<>(expected);
            restoredThenLogged.addAll(logged.subList(logged.size() - 2_000, logged.size()));
            assertThat(again.records).isEqualTo(restoredThenLogged);
        }
    }

    @Test
    void theStoreKeepsTheRecordsOfAChunkWhoseIndexLiesInALaterSegment() throws Exception {
        try (CheckpointStore store = CheckpointStore.open(dir, new StoreOptions(64 << 10, 256L << 20, 1))) {
            ShardState state = new ShardState(store, "rules");
            Clock clock = new Clock();
            List<Long> logged = new ArrayList<>();
            StateHandle last = null;
            long time = 0;
            // Records of 100 bytes: a chunk spans segments, and the first is named by nothing but the chunk's index.
            for (int checkpoint = 1; checkpoint <= 4; checkpoint++) {
                for (int i = 0; i < ShardState.LOG_CHUNK; i++) {
                    time += 1;
                    state.logBatch(java.util.Arrays.copyOf(frame(time), 100), 100, time);
                    logged.add(time);
                }
                clock.time = time;
                last = state.checkpoint("job", checkpoint, 1, clock, Long.MAX_VALUE / 4, NONE_HELD, Long.MIN_VALUE, List.of()).join();
                state.release(checkpoint);
            }
            Replayed replayed = new Replayed();
            state.restore(last).replay(new Clock(), replayed);
            assertThat(replayed.records).isEqualTo(logged);
        }
    }

    /** What a replay of the log as it was logged gives, from the last clock advance before {@code cutoff}. */
    static List<Long> withinHorizon(List<Long> logged, long cutoff) {
        int first = 0;
        while (first < logged.size() && Math.abs(logged.get(first)) < cutoff) {
            first++;
        }
        List<Long> within = new ArrayList<>();
        for (int i = first - 1; i >= 0; i--) {
            if (logged.get(i) < 0) {
                within.add(logged.get(i));
                break;
            }
        }
        within.addAll(logged.subList(first, logged.size()));
        return within;
    }

    static byte[] frame(long time) {
        return ByteBuffer.allocate(8).putLong(time).array();
    }

    /** Each logged batch as its time, each clock advance as its time negated, in the order replayed. */
    static final class Replayed implements ShardState.Replayer {
        final List<Long> records = new ArrayList<>();

        @Override
        public long batch(byte[] frame) {
            long time = ByteBuffer.wrap(frame).getLong();
            records.add(time);
            return time;
        }

        @Override
        public void advance(long eventTime, long sequence) {
            records.add(-eventTime);
        }

        @Override
        public void held(byte[] frame) {
        }
    }

    /** An instance without snapshots of its own: its checkpoints are the input log. */
    static final class Clock implements OperatorInstance {
        long time = Long.MIN_VALUE;

        @Override
        public void process(ColumnarBatch input, ColumnarBatch output) {
        }

        @Override
        public void advanceTime(long eventTime, long sequence, ColumnarBatch output) {
        }

        @Override
        public long eventTime() {
            return time;
        }

        @Override
        public void close() {
        }
    }
}
