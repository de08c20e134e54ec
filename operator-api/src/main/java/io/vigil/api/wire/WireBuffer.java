package io.vigil.api.wire;

import java.util.Arrays;

/**
 * A growable byte buffer that writes protobuf wire format directly, reused from message to
 * message. Length-delimited fields are written content first: {@link #beginLength()} leaves room
 * for the longest length prefix, {@link #endLength(int)} writes the real one and closes the gap,
 * so the output is canonical protobuf without a sizing pass.
 */
public final class WireBuffer {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    private static final int MAX_LENGTH_PREFIX = 5;

    private byte[] bytes;
    private int position;

    public WireBuffer(int initialCapacity) {
        bytes = new byte[Math.max(64, initialCapacity)];
    }

    public byte[] array() {
        return bytes;
    }

    public int length() {
        return position;
    }

    public void clear() {
        position = 0;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, position);
    }

    void tag(int field, int wireType) {
        varint32((field << 3) | wireType);
    }

    void varint32(int value) {
        ensure(5);
        while ((value & ~0x7F) != 0) {
            bytes[position++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[position++] = (byte) value;
    }

    void varint64(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[position++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[position++] = (byte) value;
    }

    void sint64(long value) {
        varint64((value << 1) ^ (value >> 63));
    }

    void sint32(int value) {
        varint32((value << 1) ^ (value >> 31));
    }

    void fixed64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[position++] = (byte) (value >>> (8 * i));
        }
    }

    void string(int field, String value) {
        tag(field, LENGTH_DELIMITED);
        int mark = beginLength();
        int length = value.length();
        ensure(length * 3);
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                bytes[position++] = (byte) c;
            } else if (c < 0x800) {
                bytes[position++] = (byte) (0xC0 | (c >>> 6));
                bytes[position++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, value.charAt(++i));
                ensure(4);
                bytes[position++] = (byte) (0xF0 | (codePoint >>> 18));
                bytes[position++] = (byte) (0x80 | ((codePoint >>> 12) & 0x3F));
                bytes[position++] = (byte) (0x80 | ((codePoint >>> 6) & 0x3F));
                bytes[position++] = (byte) (0x80 | (codePoint & 0x3F));
            } else if (Character.isSurrogate(c)) {
                bytes[position++] = (byte) '?';
            } else {
                bytes[position++] = (byte) (0xE0 | (c >>> 12));
                bytes[position++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
                bytes[position++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        endLength(mark);
    }

    void rawByte(int value) {
        ensure(1);
        bytes[position++] = (byte) value;
    }

    /** Starts a length-delimited value (after its tag); returns the mark to pass to {@link #endLength}. */
    int beginLength() {
        ensure(MAX_LENGTH_PREFIX);
        position += MAX_LENGTH_PREFIX;
        return position;
    }

    void endLength(int contentStart) {
        int length = position - contentStart;
        int prefix = varint32Size(length);
        int prefixStart = contentStart - MAX_LENGTH_PREFIX;
        System.arraycopy(bytes, contentStart, bytes, prefixStart + prefix, length);
        position = prefixStart;
        varint32(length);
        position += length;
    }

    static int varint32Size(int value) {
        if ((value & (~0 << 7)) == 0) {
            return 1;
        }
        if ((value & (~0 << 14)) == 0) {
            return 2;
        }
        if ((value & (~0 << 21)) == 0) {
            return 3;
        }
        if ((value & (~0 << 28)) == 0) {
            return 4;
        }
        return 5;
    }

    private void ensure(int more) {
        if (position + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, position + more));
        }
    }
}
