package io.vigil.adapter.java;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.function.Event;
import io.vigil.api.function.FunctionContext;
import io.vigil.api.function.KeyedFunction;
import io.vigil.api.function.Results;
import io.vigil.api.function.ValueState;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;

class JavaAdapterTest {
    static final EventSchema IN = EventSchema.builder("Txn").field("cardId", FieldKind.STRING).field("amount", FieldKind.DOUBLE).build();
    static final EventSchema OUT = EventSchema.builder("Total").field("cardId", FieldKind.STRING).field("total", FieldKind.DOUBLE).build();

    /** Sums each card's amounts. */
    public static final class RunningTotal implements KeyedFunction {
        private ValueState<Double> total;

        @Override
        public void open(FunctionContext context) {
            total = context.valueState("total", Double.class);
        }

        @Override
        public void process(Event event, Results results) {
            double sum = (total.get() == null ? 0 : total.get()) + event.getDouble("amount");
            total.set(sum);
            results.emit(event.getString("cardId"), sum);
        }
    }

    /** Declares "total" with another type. */
    public static final class CountingTotal implements KeyedFunction {
        @Override
        public void open(FunctionContext context) {
            context.valueState("total", Long.class);
        }

        @Override
        public void process(Event event, Results results) {
        }
    }

    public static final class NotAFunction {
    }

    final JavaAdapter adapter = new JavaAdapter();

    {
        adapter.configure(java.util.Map.of("allowUnsigned", "true"));
    }

    @Test
    void stateSurvivesASnapshotAndATakeOver() throws Exception {
        OperatorInstance first = instance(RunningTotal.class);
        ColumnarBatch out = new ColumnarBatch(OUT, 4);
        first.process(batch("a", 10, "b", 1), out);
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        assertThat(first.snapshot(snapshot)).isTrue();
        first.process(batch("a", 5), out);

        OperatorInstance restored = instance(RunningTotal.class);
        restored.restore(new ByteArrayInputStream(snapshot.toByteArray()));
        out.clear();
        restored.process(batch("a", 1), out);
        assertThat(out.getDouble(1, 0)).as("restored to the snapshot, before the 5").isEqualTo(11.0);

        var compiled = adapter.compile(definition(RunningTotal.class));
        OperatorInstance next = compiled.instantiateReplacing(new ShardContext("t", 0, 1, 2), first);
        assertThat(next.replayHorizonMillis()).isZero();
        assertThat(next.takeOver(first)).isEqualTo(new io.vigil.api.spi.TakenOver("keys", 2, 2));
        first.close();
        out.clear();
        next.process(batch("a", 1, "b", 1), out);
        assertThat(out.getDouble(1, 0)).isEqualTo(16.0);
        assertThat(out.getDouble(1, 1)).isEqualTo(2.0);
    }

    @Test
    void aNewVersionThatDeclaresTheStateWithAnotherTypeCannotTakeItOver() throws Exception {
        OperatorInstance first = instance(RunningTotal.class);
        first.process(batch("a", 10), new ColumnarBatch(OUT, 4));
        OperatorInstance next = adapter.compile(definition(CountingTotal.class)).instantiateReplacing(new ShardContext("t", 0, 1, 2), first);
        assertThatThrownBy(() -> next.takeOver(first)).hasMessageContaining("declares state 'total' as value java.lang.Long")
                .hasMessageContaining("holds value java.lang.Double");
    }

    @Test
    void aSpecThatDoesNotNameAFunctionInItsJarIsRefused() {
        assertThatThrownBy(() -> adapter.compile(definition("com.example.Missing", jar(RunningTotal.class))))
                .isInstanceOf(OperatorCompileException.class).hasMessageContaining("com.example.Missing is not in the operator's jar");
        assertThatThrownBy(() -> adapter.compile(definition(NotAFunction.class.getName(), jar(NotAFunction.class))))
                .hasMessageContaining("does not implement io.vigil.api.function.KeyedFunction");
        assertThatThrownBy(() -> adapter.compile(definition(RunningTotal.class.getName(), new byte[0])))
                .hasMessageContaining("needs its jar as the spec's artifact");
    }

    OperatorInstance instance(Class<?> function) throws Exception {
        return adapter.compile(definition(function)).instantiate(new ShardContext("t", 0, 1, 1));
    }

    static OperatorDefinition definition(Class<?> function) {
        return definition(function.getName(), jar(function));
    }

    static OperatorDefinition definition(String className, byte[] jar) {
        return new OperatorDefinition("t", "java", className, IN, OUT, "cardId", 1, Map.of(), jar);
    }

    static byte[] jar(Class<?> type) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            String entry = type.getName().replace('.', '/') + ".class";
            try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
                jar.putNextEntry(new JarEntry(entry));
                in.transferTo(jar);
                jar.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    static ColumnarBatch batch(Object... cardsAndAmounts) {
        ColumnarBatch batch = new ColumnarBatch(IN, cardsAndAmounts.length / 2);
        for (int i = 0; i < cardsAndAmounts.length; i += 2) {
            int row = batch.addRow(1_000 + i, i + 1);
            batch.setString(0, row, (String) cardsAndAmounts[i]);
            batch.setDouble(1, row, ((Number) cardsAndAmounts[i + 1]).doubleValue());
        }
        return batch;
    }
}
