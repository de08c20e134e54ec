package io.vigil.runtime.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventTimeBufferTest {
    static final EventSchema SCHEMA = EventSchema.builder("E").field("id", FieldKind.LONG).build();

    @Test
    void releasesWhatTheWatermarkPassedInTimestampOrderTiesInArrivalOrder() {
        EventTimeBuffer buffer = new EventTimeBuffer(SCHEMA);
        buffer.hold(batch(new long[][] {{1, 30}, {2, 10}, {3, 20}, {4, 10}, {5, 40}}));
        ColumnarBatch out = new ColumnarBatch(SCHEMA, 4);
        buffer.release(25, out);
        assertThat(ids(out)).containsExactly(2L, 4L, 3L);
        assertThat(buffer.heldCount()).isEqualTo(2);

        assertThat(buffer.hold(batch(new long[][] {{6, 25}, {7, 26}}))).as("at or behind the released watermark: late").isEqualTo(1);
        assertThat(buffer.lateCount()).isEqualTo(1);
        out.clear();
        buffer.release(Long.MAX_VALUE, out);
        assertThat(ids(out)).containsExactly(7L, 1L, 5L);
        assertThat(buffer.heldCount()).isZero();
    }

    @Test
    void shuffledInputComesOutAsTheSameInputSorted() {
        Random random = new Random(3);
        List<long[]> events = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            events.add(new long[] {i, random.nextInt(5_000)});
        }
        EventTimeBuffer buffer = new EventTimeBuffer(SCHEMA);
        ColumnarBatch out = new ColumnarBatch(SCHEMA, 1024);
        List<long[]> accepted = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        for (int from = 0; from < events.size(); from += 100) {
            List<long[]> part = events.subList(from, from + 100);
            ColumnarBatch batch = batch(part.toArray(long[][]::new));
            for (long[] e : part) {
                if (e[1] > watermark) {
                    accepted.add(e);
                }
            }
            buffer.hold(batch);
            watermark = Math.max(watermark, from / 5);
            buffer.release(watermark, out);
        }
        buffer.release(Long.MAX_VALUE, out);
        List<Long> expected = accepted.stream().sorted(Comparator.comparingLong(e -> e[1])).map(e -> e[0]).toList();
        assertThat(ids(out)).as("stable by timestamp over everything not late").isEqualTo(expected);
        assertThat(out.rowCount() + buffer.lateCount()).isEqualTo(events.size());
    }

    @Test
    void streamsHeldApartAreMergedByTimestampTiesInTheOrderTheShardReceivedThem() {
        EventTimeBuffer buffer = new EventTimeBuffer(SCHEMA);
        Object first = new Object();
        Object second = new Object();
        buffer.hold(first, batch(new long[][] {{1, 10}, {2, 20}, {3, 30}}));
        buffer.hold(second, batch(new long[][] {{4, 5}, {5, 20}, {6, 25}}));
        buffer.hold(first, batch(new long[][] {{7, 20}, {8, 40}}));
        ColumnarBatch out = new ColumnarBatch(SCHEMA, 8);
        buffer.release(25, out);
        assertThat(ids(out)).containsExactly(4L, 1L, 2L, 5L, 7L, 6L);
        assertThat(buffer.heldCount()).isEqualTo(2);

        buffer.streamClosed(first);
        assertThat(buffer.heldCount()).as("a closed stream's rows stay held until released").isEqualTo(2);
        assertThat(ids(buffer.held())).as("a checkpoint's rows, in release order").containsExactly(3L, 8L);
        out.clear();
        buffer.hold(second, batch(new long[][] {{9, 30}}));
        buffer.release(Long.MAX_VALUE, out);
        assertThat(ids(out)).containsExactly(3L, 9L, 8L);
        assertThat(buffer.heldCount()).isZero();
    }

    @Test
    void shuffledStreamsComeOutAsTheirUnionSorted() {
        Random random = new Random(5);
        EventTimeBuffer buffer = new EventTimeBuffer(SCHEMA);
        Object[] streams = {new Object(), new Object(), new Object()};
        ColumnarBatch out = new ColumnarBatch(SCHEMA, 1024);
        List<long[]> accepted = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        long id = 0;
        for (int round = 0; round < 300; round++) {
            int stream = random.nextInt(streams.length);
            long[][] rows = new long[50][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = new long[] {id++, round * 10L + random.nextInt(200)};
                if (rows[r][1] > watermark) {
                    accepted.add(rows[r]);
                }
            }
            buffer.hold(streams[stream], batch(rows));
            watermark = Math.max(watermark, round * 10L - 100);
            buffer.release(watermark, out);
        }
        buffer.release(Long.MAX_VALUE, out);
        List<Long> expected = accepted.stream().sorted(Comparator.comparingLong(e -> e[1])).map(e -> e[0]).toList();
        assertThat(ids(out)).as("stable by timestamp, ties in arrival order, over everything not late").isEqualTo(expected);
    }

    @Test
    void aRestoredBufferReleasesWhatTheCheckpointHeld() {
        EventTimeBuffer buffer = new EventTimeBuffer(SCHEMA);
        buffer.hold(batch(new long[][] {{1, 50}, {2, 5}, {3, 50}, {4, 7}}));
        ColumnarBatch out = new ColumnarBatch(SCHEMA, 4);
        buffer.release(6, out);
        ColumnarBatch snapshot = new ColumnarBatch(SCHEMA, 4);
        ColumnarBatch held = buffer.held();
        for (int r = 0; r < held.rowCount(); r++) {
            snapshot.copyRow(held, r);
        }
        EventTimeBuffer restored = new EventTimeBuffer(SCHEMA);
        restored.restore(snapshot, buffer.releasedThrough());
        assertThat(restored.hold(batch(new long[][] {{9, 6}, {10, 7}}))).as("the restored watermark still makes events late").isEqualTo(1);
        ColumnarBatch rest = new ColumnarBatch(SCHEMA, 4);
        restored.release(Long.MAX_VALUE, rest);
        assertThat(ids(rest)).containsExactly(4L, 10L, 1L, 3L);
    }

    static ColumnarBatch batch(long[][] idAndTime) {
        ColumnarBatch batch = new ColumnarBatch(SCHEMA, idAndTime.length);
        for (long[] e : idAndTime) {
            int row = batch.addRow(e[1], e[0]);
            batch.setLong(0, row, e[0]);
        }
        return batch;
    }

    static List<Long> ids(ColumnarBatch batch) {
        List<Long> ids = new ArrayList<>();
        for (int r = 0; r < batch.rowCount(); r++) {
            ids.add(batch.getLong(0, r));
        }
        return ids;
    }
}
