package io.vigil.state;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A record, 8-byte aligned: magic, payload length, type, tag, CRC-32C (of every other header word
 * and the payload), a reserved word, the payload, and zero padding. A record whose magic, bounds,
 * checksum or padding is wrong ends the valid part of its segment: no byte of it goes unchecked.
 */
final class RecordFormat {
    static final int MAGIC = 0x5647_524C; // "VGRL"
    static final int HEADER_BYTES = 24;
    static final int DATA = 1;
    static final int ROOT = 2;
    /** Covers damage the store was told to discard: read as nothing. */
    static final int VOID = 3;

    private RecordFormat() {
    }

    static int footprint(int payloadLength) {
        return (HEADER_BYTES + payloadLength + 7) & ~7;
    }

    static void write(ByteBuffer segment, int offset, int type, int tag, byte[] payload, int payloadOffset, int length) {
        segment.put(offset + HEADER_BYTES, payload, payloadOffset, length);
        for (int pad = offset + HEADER_BYTES + length; pad < offset + footprint(length); pad++) {
            segment.put(pad, (byte) 0);
        }
        segment.putInt(offset + 20, 0);
        segment.putInt(offset + 4, length);
        segment.putInt(offset + 8, type);
        segment.putInt(offset + 12, tag);
        segment.putInt(offset + 16, crc(segment, offset, length));
        segment.putInt(offset, MAGIC);
    }

    /** Payload length of the valid record at {@code offset}, or -1. */
    static int validLength(ByteBuffer segment, int offset, int segmentSize) {
        if (offset + HEADER_BYTES > segmentSize || segment.getInt(offset) != MAGIC) {
            return -1;
        }
        int length = segment.getInt(offset + 4);
        if (length < 0 || length > segmentSize - offset - HEADER_BYTES) {
            return -1;
        }
        for (int pad = offset + HEADER_BYTES + length; pad < offset + footprint(length); pad++) {
            if (segment.get(pad) != 0) {
                return -1;
            }
        }
        return segment.getInt(offset + 16) == crc(segment, offset, length) ? length : -1;
    }

    static int type(ByteBuffer segment, int offset) {
        return segment.getInt(offset + 8);
    }

    static int tag(ByteBuffer segment, int offset) {
        return segment.getInt(offset + 12);
    }

    private static int crc(ByteBuffer segment, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(segment.slice(offset + 4, 12));
        crc.update(segment.slice(offset + 20, 4));
        crc.update(segment.slice(offset + HEADER_BYTES, length));
        return (int) crc.getValue();
    }
}
