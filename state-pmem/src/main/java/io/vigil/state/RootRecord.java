package io.vigil.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of a root record, which commits a checkpoint: its id, the count of its records, the
 * length of its group key; then each record's address (segment, offset, length, tag); then the key.
 */
final class RootRecord {
    private static final int HEADER = 16;
    private static final int ADDRESS = RecordAddress.BYTES;

    private RootRecord() {
    }

    /** A root for {@code records} whose id is set later, with {@link #setId}: encoding a large root needs no lock. */
    static byte[] encode(String group, List<RecordAddress> records) {
        byte[] key = group.getBytes(StandardCharsets.UTF_8);
        ByteBuffer root = ByteBuffer.allocate(HEADER + ADDRESS * records.size() + key.length);
        root.putLong(0).putInt(records.size()).putInt(key.length);
        for (RecordAddress record : records) {
            record.writeTo(root);
        }
        return root.put(key).array();
    }

    static void setId(byte[] root, long id) {
        ByteBuffer.wrap(root).putLong(0, id);
    }

    /** The checkpoint a root of {@code length} bytes at {@code offset} commits, or null when it is not one. */
    static Checkpoint decode(ByteBuffer buffer, int offset, int length) {
        if (length < HEADER) {
            return null;
        }
        long id = buffer.getLong(offset);
        int count = buffer.getInt(offset + 8);
        int keyLength = buffer.getInt(offset + 12);
        if (count < 0 || keyLength < 0 || HEADER + (long) ADDRESS * count + keyLength != length) {
            return null;
        }
        List<RecordAddress> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(RecordAddress.readAt(buffer, offset + HEADER + ADDRESS * i));
        }
        byte[] key = new byte[keyLength];
        buffer.get(offset + HEADER + ADDRESS * count, key);
        return new Checkpoint(id, new String(key, StandardCharsets.UTF_8), records);
    }
}
