package io.vigil.api.wire;

import io.vigil.api.codec.BatchFormatException;
import java.nio.charset.StandardCharsets;

/** Reads protobuf wire format from a byte range, without building message objects. */
final class WireReader {
    private final byte[] bytes;
    private int position;
    private int limit;

    WireReader(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.position = offset;
        this.limit = offset + length;
    }

    boolean hasMore() {
        return position < limit;
    }

    int position() {
        return position;
    }

    int limit() {
        return limit;
    }

    /** Restricts reading to {@code length} bytes from here; returns the previous limit. */
    int pushLimit(int length) throws BatchFormatException {
        if (length < 0 || position + length > limit) {
            throw new BatchFormatException("truncated message: a field claims " + length + " bytes, " + (limit - position) + " remain");
        }
        int previous = limit;
        limit = position + length;
        return previous;
    }

    void popLimit(int previous) {
        position = limit;
        limit = previous;
    }

    int tag() throws BatchFormatException {
        return varint32();
    }

    int varint32() throws BatchFormatException {
        return (int) varint64();
    }

    long varint64() throws BatchFormatException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) {
                throw new BatchFormatException("truncated varint");
            }
            byte b = bytes[position++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new BatchFormatException("malformed varint");
    }

    long sint64() throws BatchFormatException {
        long n = varint64();
        return (n >>> 1) ^ -(n & 1);
    }

    int sint32() throws BatchFormatException {
        int n = varint32();
        return (n >>> 1) ^ -(n & 1);
    }

    long fixed64() throws BatchFormatException {
        if (position + 8 > limit) {
            throw new BatchFormatException("truncated fixed64");
        }
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value |= (bytes[position++] & 0xFFL) << (8 * i);
        }
        return value;
    }

    String string() throws BatchFormatException {
        int length = varint32();
        if (length < 0 || position + length > limit) {
            throw new BatchFormatException("truncated string");
        }
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    /** The bytes of a length-delimited field: offset into {@link #bytes()}, length in {@code lengthOut[0]}. */
    int lengthDelimited(int[] lengthOut) throws BatchFormatException {
        int length = varint32();
        if (length < 0 || position + length > limit) {
            throw new BatchFormatException("truncated field");
        }
        int start = position;
        position += length;
        lengthOut[0] = length;
        return start;
    }

    byte[] bytes() {
        return bytes;
    }

    void skip(int wireType) throws BatchFormatException {
        switch (wireType) {
            case WireBuffer.VARINT -> varint64();
            case WireBuffer.FIXED64 -> fixed64();
            case WireBuffer.LENGTH_DELIMITED -> {
                int length = varint32();
                if (length < 0 || position + length > limit) {
                    throw new BatchFormatException("truncated field");
                }
                position += length;
            }
            case 5 -> {
                if (position + 4 > limit) {
                    throw new BatchFormatException("truncated fixed32");
                }
                position += 4;
            }
            default -> throw new BatchFormatException("unsupported wire type " + wireType);
        }
    }
}
