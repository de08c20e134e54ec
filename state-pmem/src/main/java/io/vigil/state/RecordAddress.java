package io.vigil.state;

import java.nio.ByteBuffer;

/**
 * Where a record's payload lives: segment, byte offset of the record in it, payload length, and
 * the caller's tag (for example the shard whose state it is).
 */
public record RecordAddress(int segment, int offset, int length, int tag) {
    /** Bytes of an address written with {@link #writeTo}. */
    public static final int BYTES = 16;

    public void writeTo(ByteBuffer out) {
        out.putInt(segment).putInt(offset).putInt(length).putInt(tag);
    }

    public static RecordAddress readFrom(ByteBuffer in) {
        return new RecordAddress(in.getInt(), in.getInt(), in.getInt(), in.getInt());
    }

    /** The address written at {@code at} of {@code in}, which stays where it is. */
    static RecordAddress readAt(ByteBuffer in, int at) {
        return new RecordAddress(in.getInt(at), in.getInt(at + 4), in.getInt(at + 8), in.getInt(at + 12));
    }
}
