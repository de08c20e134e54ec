package io.vigil.api.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.HostFrame;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * One data-plane message on the wire. Batches travel as bytes written by {@link BatchEncoder} and
 * read by {@link BatchDecoder}; the rare control frames (open, opened, errors) as protobuf
 * messages. Either way the bytes are exactly {@code ClientFrame} / {@code HostFrame} of
 * {@code dataplane.proto}, so generated stubs in any language interoperate.
 */
public final class Frame {
    private static final int BATCH_TAG = (2 << 3) | WireBuffer.LENGTH_DELIMITED;

    private final MessageLite message;
    private final byte[] bytes;
    private final int length;

    private Frame(MessageLite message, byte[] bytes, int length) {
        this.message = message;
        this.bytes = bytes;
        this.length = length;
    }

    public static Frame of(MessageLite message) {
        return new Frame(message, null, 0);
    }

    /** A frame over the buffer's current contents; valid until the buffer is written again. */
    public static Frame of(WireBuffer buffer) {
        return new Frame(null, buffer.array(), buffer.length());
    }

    public static Frame of(byte[] bytes) {
        return new Frame(null, bytes, bytes.length);
    }

    /** True when this is {@code ClientFrame.batch} or {@code HostFrame.results}: field 2 of either. */
    public boolean isBatch() {
        return bytes != null && length > 0 && (bytes[0] & 0xFF) == BATCH_TAG;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return length;
    }

    public ClientFrame asClientFrame() throws InvalidProtocolBufferException {
        return message instanceof ClientFrame frame ? frame : ClientFrame.parseFrom(java.nio.ByteBuffer.wrap(bytes, 0, length));
    }

    /** The {@code batch_id} of a {@code HostFrame{results}}, read without decoding the rows. */
    public long resultBatchId() throws io.vigil.api.codec.BatchFormatException {
        return batchField(1);
    }

    /** The {@code row_count} of a {@code ClientFrame{batch}}, read without decoding the rows. */
    public int batchRowCount() throws io.vigil.api.codec.BatchFormatException {
        return (int) batchField(2);
    }

    /** A varint field of the batch this frame holds (field 2 of either frame); 0 when absent. */
    private long batchField(int field) throws io.vigil.api.codec.BatchFormatException {
        WireReader reader = new WireReader(bytes, 0, length);
        reader.tag();
        reader.pushLimit(reader.varint32());
        while (reader.hasMore()) {
            int tag = reader.tag();
            if (tag == (field << 3)) {
                return reader.varint64();
            }
            reader.skip(tag & 7);
        }
        return 0;
    }

    public HostFrame asHostFrame() throws InvalidProtocolBufferException {
        return message instanceof HostFrame frame ? frame : HostFrame.parseFrom(java.nio.ByteBuffer.wrap(bytes, 0, length));
    }

    InputStream stream() {
        return message != null ? message.toByteString().newInput() : new ByteArrayInputStream(bytes, 0, length);
    }
}
