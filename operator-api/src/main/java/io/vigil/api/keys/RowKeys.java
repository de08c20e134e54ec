package io.vigil.api.keys;

import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;

/** The key group of each row of a batch in an operator's input schema, from its key field. */
public final class RowKeys {
    private final int keyColumn;
    private final FieldKind keyKind;

    public RowKeys(EventSchema input, String keyField) {
        this.keyColumn = input.indexOf(keyField);
        if (keyColumn < 0) {
            throw new IllegalArgumentException("key field '" + keyField + "' is not a field of " + input);
        }
        this.keyKind = input.field(keyColumn).kind();
    }

    public int keyGroup(ColumnarBatch batch, int row) {
        return switch (keyKind) {
            case STRING -> KeyGroups.of(batch.getString(keyColumn, row));
            case LONG -> KeyGroups.of(batch.getLong(keyColumn, row));
            default -> KeyGroups.ofHash(batch.getInt(keyColumn, row));
        };
    }

    /** The row's key, for messages. */
    public Object key(ColumnarBatch batch, int row) {
        return batch.getObject(keyColumn, row);
    }
}
