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
    void vigilsWatermarksMoveSiddhisPlaybackTimeSoTimeWindowsExpireOnThem() throws Exception {
        // A card that goes quiet for a minute: its charge leaves the time window only as time passes.
        String quiet = "from Txn#window.time(1 min)\nselect 'QUIET' as rule, cardId\ninsert expired events into Alert;";
        OperatorDefinition definition = new OperatorDefinition("quiet", "siddhi", quiet, IN, OUT, "cardId", 1, Map.of());
        try (OperatorInstance instance = new SiddhiAdapter().compile(definition).instantiate(new ShardContext("quiet", 0, 1, 1))) {
            ColumnarBatch input = new ColumnarBatch(IN, 1);
            int row = input.addRow(1_000, 7);
            input.setString(0, row, "c1");
            input.setLong(1, row, 1_000);
            ColumnarBatch results = new ColumnarBatch(OUT, 4);
            instance.process(input, results);
            instance.advanceTime(30_000, 7, results);
            assertThat(results.rowCount()).as("half a minute later the charge is still in the window").isZero();

            instance.advanceTime(61_001, 9, results);
            assertThat(results.rowCount()).as("a minute later the watermark expires it").isEqualTo(1);
            assertThat(results.getString(0, 0)).isEqualTo("QUIET");
            assertThat(results.getString(1, 0)).isEqualTo("c1");
            assertThat(results.timestamp(0)).as("stamped with the watermark that caused it").isEqualTo(61_001);
            assertThat(results.sequence(0)).isEqualTo(9);
            assertThat(instance.eventTime()).isEqualTo(61_001);
        }
    }
}
