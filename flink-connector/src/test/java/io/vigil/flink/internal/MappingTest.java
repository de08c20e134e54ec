package io.vigil.flink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import org.junit.jupiter.api.Test;

class MappingTest {
    static final EventSchema SCHEMA = EventSchema.builder("Reading")
            .field("sensor", FieldKind.STRING)
            .field("count", FieldKind.INT)
            .field("total", FieldKind.LONG)
            .field("value", FieldKind.DOUBLE)
            .field("ok", FieldKind.BOOLEAN)
            .field("at", FieldKind.TIMESTAMP)
            .nullableField("note", FieldKind.STRING)
            .nullableField("boxed", FieldKind.LONG)
            .build();

    public static class Reading {
        private String sensor;
        private int count;
        private long total;
        private double value;
        private boolean ok;
        private long at;
        private String note;
        private Long boxed;
        private String ignored;

        public String getSensor() { return sensor; }
        public void setSensor(String v) { sensor = v; }
        public int getCount() { return count; }
        public void setCount(int v) { count = v; }
        public long getTotal() { return total; }
        public void setTotal(long v) { total = v; }
        public double getValue() { return value; }
        public void setValue(double v) { value = v; }
        public boolean isOk() { return ok; }
        public void setOk(boolean v) { ok = v; }
        public long getAt() { return at; }
        public void setAt(long v) { at = v; }
        public String getNote() { return note; }
        public void setNote(String v) { note = v; }
        public Long getBoxed() { return boxed; }
        public void setBoxed(Long v) { boxed = v; }
        public String getIgnored() { return ignored; }
        public void setIgnored(String v) { ignored = v; }
    }

    public static class NoCount {
        public String getSensor() { return "s"; }
    }

    public static class WrongType {
        public String getSensor() { return "s"; }
        public String getCount() { return "1"; }
    }

    @Test
    void aPojoTravelsThroughSlotAndBatchAndBackByFieldName() {
        Reading in = new Reading();
        in.setSensor("s-1");
        in.setCount(3);
        in.setTotal(1L << 40);
        in.setValue(2.5);
        in.setOk(true);
        in.setAt(1_700_000_000_000L);
        in.setNote(null);
        in.setBoxed(7L);

        InputMapping<Reading> input = new InputMapping<>(Reading.class, SCHEMA, "sensor");
        EventSlot slot = new EventSlot(SCHEMA.size());
        input.copy(in, slot);
        assertThat(slot.keyGroup).isEqualTo(KeyGroups.of("s-1"));

        ColumnarBatch batch = new ColumnarBatch(SCHEMA, 1);
        slot.timestamp = 5;
        slot.sequence = 6;
        input.append(slot, batch);
        assertThat(batch.getString(0, 0)).isEqualTo("s-1");
        assertThat(batch.isNull(6, 0)).isTrue();

        Reading out = new OutputMapping<>(Reading.class, SCHEMA).create(batch, 0);
        assertThat(out).usingRecursiveComparison().isEqualTo(in);
    }

    @Test
    void missingOrMistypedPropertiesAreNamed() {
        assertThatThrownBy(() -> new InputMapping<>(NoCount.class, SCHEMA, "sensor"))
                .hasMessageContaining("has no getter for field 'count' (INT)");
        assertThatThrownBy(() -> new InputMapping<>(WrongType.class, SCHEMA, "sensor"))
                .hasMessageContaining("WrongType.count is String but the operator's schema declares field 'count' INT");
    }

    @Test
    void aNullInANonNullableFieldIsRefused() {
        Reading in = new Reading();
        InputMapping<Reading> input = new InputMapping<>(Reading.class, SCHEMA, "sensor");
        assertThatThrownBy(() -> input.copy(in, new EventSlot(SCHEMA.size())))
                .hasMessageContaining("field 'sensor' is not nullable but is null");
    }
}
