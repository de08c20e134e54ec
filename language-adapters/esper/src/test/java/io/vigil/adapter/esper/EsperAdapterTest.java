package io.vigil.adapter.esper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import io.vigil.api.spi.SourceProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EsperAdapterTest {
    static final EventSchema TXN = EventSchema.builder("Txn")
            .field("cardId", FieldKind.STRING)
            .field("amount", FieldKind.DOUBLE)
            .field("ts", FieldKind.TIMESTAMP)
            .build();
    static final EventSchema ALERT = EventSchema.builder("Alert")
            .field("rule", FieldKind.STRING)
            .field("cardId", FieldKind.STRING)
            .nullableField("total", FieldKind.DOUBLE)
            .build();

    final EsperAdapter adapter = new EsperAdapter();

    static OperatorDefinition definition(String epl) {
        return new OperatorDefinition("test", "esper", epl, TXN, ALERT, "cardId", 1, Map.of("retention", "1 hour"));
    }

    static OperatorDefinition withoutRetention(String epl) {
        return new OperatorDefinition("test", "esper", epl, TXN, ALERT, "cardId", 1, Map.of());
    }

    @Test
    void stateHorizonIsTheLongestWindowOrWithin() throws Exception {
        String epl = """
                select 'A' as rule, cardId from Txn#time(10 sec);
                select 'B' as rule, cardId, count(*) as total from Txn#groupwin(cardId)#ext_timed(ts, 2 hours) group by cardId;
                select 'C' as rule, b.cardId as cardId from pattern [every a=Txn -> b=Txn(cardId = a.cardId) where timer:within(1 day)];
                select 'D' as rule, cardId from Txn(amount > 5);
                """;
        assertThat(adapter.compile(withoutRetention(epl)).stateHorizonMillis()).isEqualTo(86_400_000L);
        assertThat(adapter.compile(withoutRetention("select 'D' as rule, cardId from Txn(amount > 5)")).stateHorizonMillis()).isZero();
    }

    @Test
    void stateWithoutATimeBoundNeedsAnExplicitRetention() throws Exception {
        String epl = "select 'A' as rule, cardId from Txn(amount > 5);\nselect 'B' as rule, cardId from Txn#groupwin(cardId)#length(2)";
        assertThatThrownBy(() -> adapter.compile(withoutRetention(epl)))
                .isInstanceOfSatisfying(OperatorCompileException.class, e -> {
                    assertThat(e.problems().get(0).line()).isEqualTo(2);
                    assertThat(e.getMessage()).contains("#length").contains("no event-time horizon").contains("retention");
                });
        assertThatThrownBy(() -> adapter.compile(withoutRetention("select 'S' as rule, cardId, sum(amount) as total from Txn group by cardId")))
                .hasMessageContaining("aggregates over a stream with no time window");
        assertThat(adapter.compile(definition(epl)).stateHorizonMillis()).isEqualTo(3_600_000L);
    }

    @Test
    void emitsRowsOfEverySelectWithoutInsertIntoStampedWithTheirCause() throws Exception {
        String epl = """
                insert into Big select * from Txn(amount > 100);
                @name('big') select 'BIG' as rule, cardId from Big;
                @name('sum') select 'SUM' as rule, cardId, sum(amount) as total from Txn group by cardId;
                """;
        try (OperatorInstance instance = adapter.compile(definition(epl)).instantiate(new ShardContext("test", 0, 1, 1))) {
            ColumnarBatch in = batch(row("a", 50, 1_000), row("a", 150, 2_000));
            ColumnarBatch out = new ColumnarBatch(ALERT, 4);
            instance.process(in, out);

            assertThat(rows(out)).containsExactlyInAnyOrder(
                    "SUM a 50.0 @1000#1",
                    "BIG a null @2000#2",
                    "SUM a 200.0 @2000#2");
        }
    }

    @Test
    void anUpdateTakesOverTheStatementsItLeavesUnchangedWithTheirState() throws Exception {
        String count = "@name('COUNT') select 'COUNT' as rule, cardId, count(*) as total from Txn#groupwin(cardId)#ext_timed(ts, 1 hour)"
                + " group by cardId having count(*) >= 2;\n";
        OperatorInstance v1 = adapter.compile(withoutRetention(count + "@name('BIG') select 'BIG' as rule, cardId from Txn(amount > 100);"))
                .instantiate(new ShardContext("test", 0, 1, 1));
        ColumnarBatch out = new ColumnarBatch(ALERT, 4);
        v1.process(batch(row("a", 60, 1_000)), out);
        assertThat(out.rowCount()).isZero();

        var compiled = adapter.compile(withoutRetention(count + "@name('BIG') select 'BIG' as rule, cardId from Txn(amount > 50);"));
        OperatorInstance v2 = compiled.instantiateReplacing(new ShardContext("test", 0, 1, 2), v1);
        assertThat(v2.replayHorizonMillis()).as("only the changed statement is new, and it holds no state").isZero();
        assertThat(v2.takeOver(v1)).isEqualTo(new io.vigil.api.spi.TakenOver("statement groups", 1, 2));
        v1.close();

        v2.process(batch(row("a", 60, 2_000)), out);
        assertThat(rows(out)).as("the count kept the charge v1 saw; the new threshold applies")
                .containsExactlyInAnyOrder("COUNT a 2.0 @2000#1", "BIG a null @2000#1");
        v2.close();
    }

    @Test
    void statementsLinkedByAStreamAreRebuiltTogether() throws Exception {
        String linked = "insert into Big select * from Txn(amount > 100);\n@name('big') select 'BIG' as rule, cardId from Big;\n";
        OperatorInstance v1 = adapter.compile(definition(linked + "select 'ANY' as rule, cardId from Txn;"))
                .instantiate(new ShardContext("test", 0, 1, 1));
        OperatorInstance v2 = adapter.compile(definition(linked + "select 'ANY2' as rule, cardId from Txn;"))
                .instantiateReplacing(new ShardContext("test", 0, 1, 2), v1);
        assertThat(v2.replayHorizonMillis()).as("one part, all of it replayed").isEqualTo(3_600_000L);
        assertThat(v2.takeOver(v1).isNothing()).isTrue();
        v1.close();
        v2.close();
    }

    @Test
    void theClockStepsThroughEverySchedulePerEventAndResultsCarryTheirScheduledTime() throws Exception {
        String epl = "select 'COUNT' as rule, cardId, count(*) as total from Txn#time(10 sec) group by cardId output last every 5 sec";
        var compiled = adapter.compile(definition(epl));
        try (OperatorInstance instance = compiled.instantiate(new ShardContext("test", 0, 1, 1))) {
            ColumnarBatch out = new ColumnarBatch(ALERT, 4);
            instance.process(batch(row("a", 1, 100_000), row("a", 1, 112_000)), out);
            assertThat(rows(out)).as("the output due at 105 s fires between the events, stamped with its own time")
                    .containsExactly("COUNT a 1.0 @105000#2", "COUNT a 0.0 @110000#2");
            assertThat(instance.eventTime()).isEqualTo(112_000);

            out.clear();
            instance.advanceTime(111_000, 2, out);
            assertThat(instance.eventTime()).as("the clock never goes back").isEqualTo(112_000);

            instance.advanceTime(OperatorInstance.END_OF_INPUT, 2, out);
            assertThat(instance.eventTime()).as("the end of input moves the clock on by the state horizon, not to the end of time")
                    .isEqualTo(112_000 + compiled.stateHorizonMillis());
            assertThat(rows(out)).as("and flushes what falls due on the way").contains("COUNT a 1.0 @115000#2");
        }
    }

    @Test
    void aRowThatDoesNotFitTheOutputSchemaFailsTheCallNamingStatementFieldAndRow() throws Exception {
        String epl = "@name('NULL_CARD') select 'R' as rule, case when amount > 5 then null else cardId end as cardId, "
                + "amount as total from Txn";
        try (OperatorInstance instance = adapter.compile(definition(epl)).instantiate(new ShardContext("test", 0, 1, 1))) {
            ColumnarBatch out = new ColumnarBatch(ALERT, 4);
            instance.process(batch(row("a", 1, 1_000)), out);
            assertThat(out.rowCount()).isEqualTo(1);
            assertThatThrownBy(() -> instance.process(batch(row("b", 9, 2_000)), out))
                    .hasMessageContaining("statement 'NULL_CARD'")
                    .hasMessageContaining("null in output field 'cardId'")
                    .hasMessageContaining("not nullable");
            assertThat(out.rowCount()).as("no half-written row is left behind").isEqualTo(1);
        }
    }

    @Test
    void syntaxErrorNamesLineAndColumn() {
        String epl = "@name('ok') select 'A' as rule, cardId from Txn;\n\nselect 'B' as rule, cardId fro Txn";
        assertThatThrownBy(() -> adapter.compile(definition(epl)))
                .isInstanceOfSatisfying(OperatorCompileException.class, e -> {
                    SourceProblem problem = e.problems().get(0);
                    assertThat(problem.line()).isEqualTo(3);
                    assertThat(problem.column()).as("Esper stops at the token after the stray alias").isEqualTo(32);
                    assertThat(problem.message()).contains("near 'Txn'");
                });
    }

    @Test
    void unknownPropertyNamesLineAndColumn() {
        String epl = "@name('ok') select 'A' as rule, cardId from Txn;\n  select 'B' as rule, cardId, amout as total from Txn";
        assertThatThrownBy(() -> adapter.compile(definition(epl)))
                .isInstanceOfSatisfying(OperatorCompileException.class, e -> {
                    SourceProblem problem = e.problems().get(0);
                    assertThat(problem.line()).isEqualTo(2);
                    assertThat(problem.column()).isEqualTo(31);
                    assertThat(problem.message()).contains("amout");
                });
    }

    @Test
    void statementThatMissesAnOutputFieldIsRejected() {
        String epl = "select cardId from Txn";
        assertThatThrownBy(() -> adapter.compile(definition(epl)))
                .isInstanceOfSatisfying(OperatorCompileException.class, e ->
                        assertThat(e.getMessage()).contains("does not select output field 'rule'"));
    }

    @Test
    void statementThatSelectsAWrongTypeIsRejected() {
        String epl = "select 1 as rule, cardId from Txn";
        assertThatThrownBy(() -> adapter.compile(definition(epl)))
                .isInstanceOfSatisfying(OperatorCompileException.class, e ->
                        assertThat(e.getMessage()).contains("'rule' as Integer").contains("STRING"));
    }

    static Object[] row(String card, double amount, long ts) {
        return new Object[] {card, amount, ts};
    }

    static ColumnarBatch batch(Object[]... rows) {
        ColumnarBatch batch = new ColumnarBatch(TXN, rows.length);
        long sequence = 1;
        for (Object[] values : rows) {
            int row = batch.addRow((Long) values[2], sequence++);
            for (int c = 0; c < values.length; c++) {
                batch.setObject(c, row, values[c]);
            }
        }
        return batch;
    }

    static List<String> rows(ColumnarBatch out) {
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < out.rowCount(); r++) {
            rows.add(out.getObject(0, r) + " " + out.getObject(1, r) + " " + out.getObject(2, r)
                    + " @" + out.timestamp(r) + "#" + out.sequence(r));
        }
        out.clear();
        return rows;
    }
}
