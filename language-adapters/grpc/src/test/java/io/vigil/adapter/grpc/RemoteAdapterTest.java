package io.vigil.adapter.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.adapter.grpc.python.PythonOperatorProcess;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.OperatorUnavailableException;
import io.vigil.api.spi.ShardContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy against a real Python process over loopback gRPC. */
class RemoteAdapterTest {
    static final EventSchema IN = EventSchema.builder("Reading")
            .field("key", FieldKind.STRING).nullableField("value", FieldKind.LONG).field("ts", FieldKind.TIMESTAMP).build();
    static final EventSchema OUT = EventSchema.builder("Count")
            .field("key", FieldKind.STRING).field("count", FieldKind.LONG).nullableField("value", FieldKind.LONG).build();

    static PythonOperatorProcess python;
    final RemoteAdapter adapter = new RemoteAdapter();

    @BeforeAll
    static void startPython() throws Exception {
        python = PythonOperatorProcess.start("/remote/test_functions.py");
    }

    @AfterAll
    static void stopPython() throws Exception {
        python.close();
    }

    static OperatorDefinition definition(String target, Map<String, String> options) {
        return new OperatorDefinition("counts", "grpc", target, IN, OUT, "key", 2, options);
    }

    static OperatorDefinition function(String function, String... moreOptions) {
        Map<String, String> options = new HashMap<>(Map.of("function", function));
        for (int i = 0; i < moreOptions.length; i += 2) {
            options.put(moreOptions[i], moreOptions[i + 1]);
        }
        return definition(python.target(), options);
    }

    static ColumnarBatch batch(Object... keyValueTs) {
        ColumnarBatch batch = new ColumnarBatch(IN, 8);
        for (int i = 0; i < keyValueTs.length; i += 3) {
            int row = batch.addRow((Long) keyValueTs[i + 2], 100 + i / 3);
            batch.setString(0, row, (String) keyValueTs[i]);
            batch.setObject(1, row, keyValueTs[i + 1]);
            batch.setLong(2, row, (Long) keyValueTs[i + 2]);
        }
        return batch;
    }

    static List<String> rows(ColumnarBatch results) {
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < results.rowCount(); r++) {
            rows.add(results.getString(0, r) + "=" + results.getLong(1, r) + " value " + results.getObject(2, r)
                    + " @" + results.timestamp(r) + " seq " + results.sequence(r));
        }
        return rows;
    }

    static List<String> process(OperatorInstance instance, ColumnarBatch input) {
        ColumnarBatch results = new ColumnarBatch(OUT, 8);
        instance.process(input, results);
        return rows(results);
    }

    static ShardContext shard(long version) {
        return new ShardContext("counts", 0, 2, version);
    }

    @Test
    void processesBatchesInOrderWithStatePerKeyAndNullsIntact() throws Exception {
        try (OperatorInstance instance = adapter.compile(function("count")).instantiate(shard(1))) {
            assertThat(process(instance, batch("a", 7L, 1_000L, "b", null, 1_001L, "a", 9L, 1_002L))).containsExactly(
                    "a=1 value 7 @1000 seq 100", "b=1 value null @1001 seq 101", "a=2 value 9 @1002 seq 102");
            assertThat(process(instance, batch("a", 1L, 2_000L))).containsExactly("a=3 value 1 @2000 seq 100");
            assertThat(instance.eventTime()).isEqualTo(1_000L);
            instance.advanceTime(5_000L, 100, new ColumnarBatch(OUT, 1));
            assertThat(instance.eventTime()).isEqualTo(5_000L);
        }
    }

    @Test
    void aSnapshotRestoredIntoANewSessionContinuesWhereTheOldOneWas() throws Exception {
        CompiledOperator compiled = adapter.compile(function("count"));
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        try (OperatorInstance first = compiled.instantiate(shard(1))) {
            process(first, batch("a", 1L, 1_000L, "a", 2L, 1_001L, "b", 3L, 1_002L));
            first.advanceTime(4_000L, 102, new ColumnarBatch(OUT, 1));
            assertThat(first.snapshot(snapshot)).isTrue();
            process(first, batch("a", 1L, 5_000L));
        }
        try (OperatorInstance restored = compiled.instantiate(shard(1))) {
            restored.restore(new ByteArrayInputStream(snapshot.toByteArray()));
            assertThat(restored.eventTime()).isEqualTo(4_000L);
            assertThat(process(restored, batch("a", 1L, 5_000L, "b", 1L, 5_001L)))
                    .containsExactly("a=3 value 1 @5000 seq 100", "b=2 value 1 @5001 seq 101");
        }
    }

    @Test
    void aCheckpointAfterTheFirstWritesOnlyTheKeysThatChangedAndARestoreAppliesThemInOrder() throws Exception {
        CompiledOperator compiled = adapter.compile(function("count"));
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        ByteArrayOutputStream firstChanges = new ByteArrayOutputStream();
        ByteArrayOutputStream secondChanges = new ByteArrayOutputStream();
        try (OperatorInstance running = compiled.instantiate(shard(1))) {
            ColumnarBatch many = new ColumnarBatch(IN, 1000);
            for (int k = 0; k < 1000; k++) {
                int row = many.addRow(1_000L, k);
                many.setString(0, row, "key-" + k);
                many.setObject(1, row, (long) k);
                many.setLong(2, row, 1_000L);
            }
            running.process(many, new ColumnarBatch(OUT, 1000));
            assertThat(running.snapshot(whole)).isTrue();
            process(running, batch("key-1", 1L, 2_000L, "key-2", 1L, 2_001L));
            running.advanceTime(3_000L, 101, new ColumnarBatch(OUT, 1));
            assertThat(running.snapshotChanges(firstChanges)).as("the process writes increments").isTrue();
            process(running, batch("key-1", 1L, 4_000L));
            assertThat(running.snapshotChanges(secondChanges)).isTrue();
        }
        assertThat(firstChanges.size()).as("two keys changed of a thousand").isLessThan(whole.size() / 20);
        assertThat(secondChanges.size()).isLessThan(firstChanges.size());
        try (OperatorInstance restored = compiled.instantiate(shard(1))) {
            restored.restore(new ByteArrayInputStream(whole.toByteArray()));
            restored.restoreChanges(new ByteArrayInputStream(firstChanges.toByteArray()));
            assertThat(restored.eventTime()).isEqualTo(3_000L);
            restored.restoreChanges(new ByteArrayInputStream(secondChanges.toByteArray()));
            assertThat(process(restored, batch("key-1", 1L, 5_000L, "key-2", 1L, 5_001L, "key-3", 1L, 5_002L)))
                    .containsExactly("key-1=4 value 1 @5000 seq 100", "key-2=3 value 1 @5001 seq 101", "key-3=2 value 1 @5002 seq 102");
        }
    }

    /**
     * After a rescale: each new shard takes, from the old shard's snapshot and increment, the keys
     * of its own key groups only, as the process computes them; they must be the host's key groups.
     */
    @Test
    void aRescaledShardTakesOnlyTheKeysOfItsKeyGroupsFromASnapshotAndItsIncrement() throws Exception {
        CompiledOperator compiled = adapter.compile(function("count"));
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        ByteArrayOutputStream changes = new ByteArrayOutputStream();
        List<String> keys = new ArrayList<>();
        try (OperatorInstance old = compiled.instantiate(shard(1))) {
            ColumnarBatch many = new ColumnarBatch(IN, 500);
            for (int k = 0; k < 500; k++) {
                keys.add("card-" + k + "-\u00e9");
                int row = many.addRow(1_000L, k);
                many.setString(0, row, keys.get(k));
                many.setObject(1, row, (long) k);
                many.setLong(2, row, 1_000L);
            }
            old.process(many, new ColumnarBatch(OUT, 500));
            assertThat(old.snapshot(whole)).isTrue();
            process(old, batch(keys.get(0), 1L, 2_000L));
            assertThat(old.snapshotChanges(changes)).isTrue();
        }
        int[][] ranges = {{0, 43}, {43, 86}, {86, 128}};
        for (int[] range : ranges) {
            try (OperatorInstance taker = compiled.instantiate(new ShardContext("counts", 0, 3, 1))) {
                taker.restoreKeyGroups(new ByteArrayInputStream(whole.toByteArray()), range[0], range[1]);
                taker.restoreChangesKeyGroups(new ByteArrayInputStream(changes.toByteArray()), range[0], range[1]);
                ColumnarBatch each = new ColumnarBatch(IN, 500);
                for (int k = 0; k < keys.size(); k++) {
                    int row = each.addRow(3_000L, k);
                    each.setString(0, row, keys.get(k));
                    each.setObject(1, row, 1L);
                    each.setLong(2, row, 3_000L);
                }
                ColumnarBatch counted = new ColumnarBatch(OUT, 500);
                taker.process(each, counted);
                for (int k = 0; k < keys.size(); k++) {
                    int group = io.vigil.api.keys.KeyGroups.of(keys.get(k));
                    long before = group >= range[0] && group < range[1] ? (k == 0 ? 2 : 1) : 0;
                    assertThat(counted.getLong(1, k)).as("%s of key group %d in [%d, %d)", keys.get(k), group, range[0], range[1])
                            .isEqualTo(before + 1);
                }
            }
        }
    }

    @Test
    void aNewVersionOfTheSameFunctionTakesTheStateOverAtTheSwitch() throws Exception {
        CompiledOperator v1 = adapter.compile(function("count"));
        CompiledOperator v2 = adapter.compile(function("count", "step", "10"));
        CompiledOperator other = adapter.compile(function("ticker", "retention", "1 hour"));
        try (OperatorInstance old = v1.instantiate(shard(1))) {
            process(old, batch("a", 1L, 1_000L, "a", 1L, 1_001L));
            OperatorInstance next = v2.instantiateReplacing(shard(2), old);
            OperatorInstance elsewhere = other.instantiateReplacing(shard(2), old);
            try (next; elsewhere) {
                assertThat(next.replayHorizonMillis()).isZero();
                assertThat(elsewhere.replayHorizonMillis()).isEqualTo(3_600_000L);
                assertThat(next.takeOver(old).unit()).isEqualTo("bytes of the session's state");
                assertThat(elsewhere.takeOver(old).isNothing()).isTrue();
                assertThat(process(next, batch("a", 1L, 2_000L))).containsExactly("a=12 value 1 @2000 seq 100");
                assertThat(next.eventTime()).isEqualTo(1_000L);
            }
        }
    }

    @Test
    void aFunctionThatReactsToTimeEmitsOnWatermarksWithTheCausingSequence() throws Exception {
        try (OperatorInstance instance = adapter.compile(function("ticker")).instantiate(shard(1))) {
            process(instance, batch("b", 1L, 1_000L, "a", 1L, 1_001L, "a", 1L, 1_002L));
            ColumnarBatch results = new ColumnarBatch(OUT, 4);
            instance.advanceTime(60_000L, 102, results);
            assertThat(rows(results)).containsExactly("a=2 value 60000 @60000 seq 102", "b=1 value 60000 @60000 seq 102");
        }
    }

    @Test
    void aFunctionThatFailsEndsItsSessionWithTheReasonAndTheProcessServesOthers() throws Exception {
        CompiledOperator compiled = adapter.compile(function("fails_on_boom"));
        try (OperatorInstance failing = compiled.instantiate(shard(1)); OperatorInstance other = compiled.instantiate(shard(1))) {
            assertThatThrownBy(() -> process(failing, batch("a", 1L, 1_000L, "boom", 1L, 1_001L)))
                    .isInstanceOf(RemoteOperatorException.class)
                    .hasMessageContaining("operator 'counts' shard 0")
                    .hasMessageContaining("failed on key 'boom'")
                    .hasMessageContaining("ValueError: no booms");
            assertThat(process(other, batch("a", 1L, 1_000L))).containsExactly("a=1 value 1 @1000 seq 100");
        }
    }

    @Test
    void compilingChecksTheFunctionItsSchemasAndOptionsWithTheProcess() {
        assertThatThrownBy(() -> adapter.compile(function("nope")))
                .isInstanceOf(OperatorCompileException.class)
                .hasMessageContaining("runs no function 'nope'; it runs count, fails_on_boom, ticker");
        assertThatThrownBy(() -> adapter.compile(function("count", "step", "ten")))
                .hasMessageContaining("function 'count' refused its options: invalid literal for int()");
        assertThatThrownBy(() -> adapter.compile(new OperatorDefinition("counts", "grpc", python.target(),
                EventSchema.builder("Reading").field("key", FieldKind.STRING).build(), OUT, "key", 1, Map.of("function", "count"))))
                .hasMessageContaining("input schema 'Reading' has no field 'value', which function 'count' reads");
        assertThatThrownBy(() -> adapter.compile(definition(python.target(), Map.of())))
                .hasMessageContaining("option 'function' must name the function");
        assertThatThrownBy(() -> adapter.compile(definition("", Map.of("function", "count"))))
                .hasMessageContaining("the source must be the address of the process");
    }

    @Test
    void anAddressWhereNothingListensMakesTheOperatorUnavailableNamingIt() {
        assertThatThrownBy(() -> adapter.compile(definition("127.0.0.1:1", Map.of("function", "count", "timeout", "5 sec"))))
                .isInstanceOf(OperatorUnavailableException.class)
                .hasMessageContaining("cannot check function 'count' with the process at 127.0.0.1:1: UNAVAILABLE");
    }
}
