package io.vigil.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.state.CheckpointStore;
import io.vigil.state.StoreOptions;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.WireBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard whose instance writes increments checkpoints what changed: its first checkpoint holds the
 * state whole, the next ones the snapshot and each increment since, and every one of them restores
 * the state as it was; a chain ends after {@link ShardState#MAX_INCREMENTS}, and another instance
 * (a swap, a restore) starts with a whole snapshot.
 */
class ShardStateIncrementsTest {
    static final EventSchema HELD_SCHEMA = EventSchema.builder("E").field("id", FieldKind.STRING).build();
    static final ColumnarBatch NONE_HELD = new ColumnarBatch(HELD_SCHEMA, 16);

    @TempDir
    Path dir;

    @Test
    void everyCheckpointOfAChainRestoresTheStateItWasTakenAt() throws Exception {
        try (CheckpointStore store = CheckpointStore.open(dir, new StoreOptions(1 << 20, 256L << 20, 64))) {
            ShardState state = new ShardState(store, "rules");
            Counters live = new Counters();
            List<StateHandle> handles = new ArrayList<>();
            List<Map<String, Long>> expected = new ArrayList<>();
            for (int key = 0; key < 1_000; key++) {
                live.add("k" + key, 1);
            }
            for (int checkpoint = 1; checkpoint <= ShardState.MAX_INCREMENTS + 3; checkpoint++) {
                for (int i = 0; i < 5; i++) {
                    live.add("k" + ((checkpoint * 7 + i) % 1_000), checkpoint);
                }
                if (checkpoint % 4 == 0) {
                    live.remove("k" + (checkpoint % 1_000));
                }
                handles.add(state.checkpoint("job", checkpoint, 1, live, 0, NONE_HELD, Long.MIN_VALUE, List.of()).join());
                expected.add(new HashMap<>(live.counts));
            }
            List<Integer> increments = new ArrayList<>();
            for (int i = 0; i < handles.size(); i++) {
                ShardState.Restore restore = state.restore(handles.get(i));
                increments.add(restore.meta().getIncrements());
                Counters restored = new Counters();
                restore.replay(restored, new HeldFrames());
                assertThat(restored.counts).as("checkpoint %d", i + 1).isEqualTo(expected.get(i));
            }
            assertThat(increments.subList(0, 4)).containsExactly(0, 1, 2, 3);
            assertThat(increments.get(ShardState.MAX_INCREMENTS + 1)).as("the chain ends and starts again whole").isZero();

            Counters another = new Counters();
            another.counts.putAll(live.counts);
            StateHandle afterSwap = state.checkpoint("job", 100, 2, another, 0, NONE_HELD, Long.MIN_VALUE, List.of()).join();
            assertThat(state.restore(afterSwap).meta().getIncrements()).as("another instance starts whole").isZero();
        }
    }

    @Test
    void aSnapshotLargerThanARecordIsWrittenAsARecordAndItsContinuations() throws Exception {
        try (CheckpointStore store = CheckpointStore.open(dir, new StoreOptions(64 << 10, 256L << 20, 3))) {
            ShardState state = new ShardState(store, "rules");
            Counters live = new Counters();
            for (int key = 0; key < 20_000; key++) {
                live.add("key-" + key, key);
            }
            ColumnarBatch heldRows = new ColumnarBatch(HELD_SCHEMA, 16);
            for (int i = 0; i < 10_000; i++) {
                heldRows.setString(0, heldRows.addRow(i, i), "held-" + i);
            }
            WireBuffer encoded = new WireBuffer(1024);
            BatchEncoder.events(heldRows, 0, true, -1, encoded);
            byte[] held = java.util.Arrays.copyOf(encoded.array(), encoded.length());
            assertThat(held.length).as("held events larger than a record").isGreaterThan(64 << 10);
            StateHandle whole = state.checkpoint("job", 1, 1, live, 0, heldRows, -1, List.of()).join();
            live.add("key-7", 1);
            StateHandle increment = state.checkpoint("job", 2, 1, live, 0, heldRows, -1, List.of()).join();
            assertThat(store.checkpoint(whole.getStoreCheckpoint()).orElseThrow().records().size())
                    .as("records of a snapshot several times a record's size").isGreaterThan(5);
            for (StateHandle handle : List.of(whole, increment)) {
                Counters restored = new Counters();
                HeldFrames heldBack = new HeldFrames();
                state.restore(handle).replay(restored, heldBack);
                assertThat(heldBack.frames).hasSize(1);
                assertThat(heldBack.frames.get(0)).isEqualTo(held);
                assertThat(restored.counts).hasSize(20_000);
            }
            Counters restored = new Counters();
            state.restore(increment).replay(restored, new HeldFrames());
            assertThat(restored.counts).isEqualTo(live.counts);
        }
    }

    /** A checkpoint of an instance with a native snapshot holds no input log, only the held events, which this keeps. */
    static final class HeldFrames implements ShardState.Replayer {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public long batch(byte[] frame) {
            throw new AssertionError("a native snapshot's checkpoint replays no logged batch");
        }

        @Override
        public void advance(long eventTime, long sequence) {
            throw new AssertionError("a native snapshot's checkpoint replays no clock advance");
        }

        @Override
        public void held(byte[] frame) {
            frames.add(frame);
        }
    }

    /** Counts per key, snapshotted whole or as the keys changed since. */
    static final class Counters implements OperatorInstance {
        final Map<String, Long> counts = new HashMap<>();
        final Set<String> changed = new HashSet<>();

        void add(String key, long amount) {
            counts.merge(key, amount, Long::sum);
            changed.add(key);
        }

        void remove(String key) {
            counts.remove(key);
            changed.add(key);
        }

        @Override
        public boolean snapshot(OutputStream out) throws IOException {
            write(new DataOutputStream(out), counts.keySet());
            return true;
        }

        @Override
        public void restore(InputStream in) throws IOException {
            counts.clear();
            restoreChanges(in);
        }

        @Override
        public boolean snapshotChanges(OutputStream out) throws IOException {
            write(new DataOutputStream(out), changed);
            return true;
        }

        @Override
        public void restoreChanges(InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in);
            for (int n = data.readInt(); n > 0; n--) {
                String key = data.readUTF();
                if (data.readBoolean()) {
                    counts.put(key, data.readLong());
                } else {
                    counts.remove(key);
                }
            }
        }

        private void write(DataOutputStream out, Set<String> keys) throws IOException {
            out.writeInt(keys.size());
            for (String key : keys) {
                out.writeUTF(key);
                Long count = counts.get(key);
                out.writeBoolean(count != null);
                if (count != null) {
                    out.writeLong(count);
                }
            }
            out.flush();
            changed.clear();
        }

        @Override
        public void process(ColumnarBatch input, ColumnarBatch output) {
        }

        @Override
        public void advanceTime(long eventTime, long sequence, ColumnarBatch output) {
        }

        @Override
        public long eventTime() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
