package io.vigil.adapter.siddhi;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SiddhiAdapterTest {
    static final EventSchema IN = EventSchema.builder("Txn").field("cardId", FieldKind.STRING).field("ts", FieldKind.TIMESTAMP).build();
    static final EventSchema OUT = EventSchema.builder("Alert").field("rule", FieldKind.STRING).field("cardId", FieldKind.STRING).build();

    @Test
    void playbackTimeMovesWithTheEventsAsInSiddhiItselfAndTheEndOfInputFlushesByTheRetention() throws Exception {
        // A card that goes quiet for a minute: its charge leaves the time window only as time passes.
        String quiet = "from Txn#window.time(1 min)\nselect 'QUIET' as rule, cardId\ninsert expired events into Alert;";
        OperatorDefinition definition = new OperatorDefinition("quiet", "siddhi", quiet, IN, OUT, "cardId", 1,
                Map.of("retention", "2 min"));
        try (OperatorInstance instance = new SiddhiAdapter().compile(definition).instantiate(new ShardContext("quiet", 0, 1, 1))) {
            ColumnarBatch results = new ColumnarBatch(OUT, 4);
            instance.process(charge("c1", 1_000, 7), results);
            instance.advanceTime(61_001, 8, results);
            assertThat(results.rowCount()).as("a watermark does not move Siddhi's playback time").isZero();
            assertThat(instance.eventTime()).as("the shard's clock follows it all the same").isEqualTo(61_001);

            instance.process(charge("c2", 62_000, 9), results);
            assertThat(results.rowCount()).as("the next event's time expires the charge, as in Siddhi").isEqualTo(1);
            assertThat(results.getString(1, 0)).isEqualTo("c1");
            assertThat(results.timestamp(0)).as("stamped with the event whose time fired it").isEqualTo(62_000);
            assertThat(results.sequence(0)).isEqualTo(9);

            instance.advanceTime(OperatorInstance.END_OF_INPUT, 10, results);
            assertThat(results.rowCount()).as("the end of input expires what the window still holds").isEqualTo(2);
            assertThat(results.getString(1, 1)).isEqualTo("c2");
            assertThat(results.timestamp(1)).as("at the last event's time plus the retention").isEqualTo(62_000 + 120_000);
        }
    }

    @Test
    void onMoreThanOneShardAQueryOutsideAPartitionOnTheKeyIsRefusedAtItsLine() throws Exception {
        String app = "from Txn[cardId != 'x']\nselect 'ANY' as rule, cardId\ninsert into Alert;\n\n"
                + "partition with (cardId of Txn)\nbegin\n  from Txn#window.length(2)\n  select 'PER_CARD' as rule, cardId\n"
                + "  insert into Alert;\nend;\n"
                + "from Txn#window.time(1 min)\nselect 'ALL' as rule, cardId\ninsert into Alert;";
        OperatorDefinition twoShards = new OperatorDefinition("mixed", "siddhi", app, IN, OUT, "cardId", 2, Map.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SiddhiAdapter().compile(twoShards))
                .isInstanceOfSatisfying(io.vigil.api.spi.OperatorCompileException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    assertThat(e.problems().get(0).line()).isEqualTo(11);
                    assertThat(e.problems().get(0).message()).contains("keeps a window", "more than one key", "shards: 1",
                            "partition with (cardId of Txn)");
                });
        new SiddhiAdapter().compile(new OperatorDefinition("mixed", "siddhi", app, IN, OUT, "cardId", 1, Map.of()));
    }

    @Test
    void onMoreThanOneShardAPatternCorrelatedOnTheKeyRunsAndOneThatFiresOnTimeIsRefused() throws Exception {
        String correlated = "from every a=Txn[ts > 0] -> b=Txn[cardId == a.cardId and ts > a.ts] within 1 min\n"
                + "select 'AGAIN' as rule, b.cardId as cardId\ninsert into Alert;";
        new SiddhiAdapter().compile(new OperatorDefinition("again", "siddhi", correlated, IN, OUT, "cardId", 2, Map.of()));
        for (String[] refused : new String[][] {
                {"from every a=Txn -> b=Txn[ts > a.ts]\nselect 'ANY' as rule, b.cardId as cardId\ninsert into Alert;", "not all correlated"},
                {"from every a=Txn, b=Txn[cardId == a.cardId]\nselect 'SEQ' as rule, b.cardId as cardId\ninsert into Alert;", "sequence"},
                {"partition with (cardId of Txn)\nbegin\nfrom every a=Txn -> not Txn[cardId == a.cardId] for 1 min\n"
                        + "select 'QUIET' as rule, a.cardId as cardId\ninsert into Alert;\nend;", "absence"}}) {
            OperatorDefinition definition = new OperatorDefinition("refused", "siddhi", refused[0], IN, OUT, "cardId", 2, Map.of());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SiddhiAdapter().compile(definition))
                    .as(refused[0]).hasMessageContaining(refused[1]).hasMessageContaining("shards: 1");
        }
    }

    private static ColumnarBatch charge(String card, long ts, long sequence) {
        ColumnarBatch input = new ColumnarBatch(IN, 1);
        int row = input.addRow(ts, sequence);
        input.setString(0, row, card);
        input.setLong(1, row, ts);
        return input;
    }
}
