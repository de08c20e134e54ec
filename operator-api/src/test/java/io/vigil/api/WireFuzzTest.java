package io.vigil.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.wire.BatchDecoder;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzz targets for what the host reads off the wire before anything else checks it: the batch
 * decoder and the frame reader. Whatever bytes arrive (random ones, and valid frames bent by
 * flipped, cut, repeated or inserted bytes), each either reads them or refuses them with its own
 * error; nothing else escapes (no index, size or memory error that would take a shard down).
 */
class WireFuzzTest {
    @Property
    void theBatchDecoderReadsOrRefusesAnyBytes(@ForAll("frames") byte[] frame) {
        BatchDecoder decoder = new BatchDecoder();
        ColumnarBatch target = new ColumnarBatch(WireCodecTest.ALL_TYPES, 4);
        int before = target.rowCount();
        try {
            decoder.events(frame, frame.length, target);
        } catch (BatchFormatException refused) {
            assertThat(target.rowCount()).as("a refused batch leaves the target as it was").isEqualTo(before);
        }
        try {
            decoder.results(frame, frame.length, new ColumnarBatch(WireCodecTest.ALL_TYPES, 4));
        } catch (BatchFormatException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Property
    void theFrameReaderReadsOrRefusesAnyBytes(@ForAll("frames") byte[] bytes) {
        Frame frame = Frame.of(bytes);
        frame.isBatch();
        try {
            frame.asClientFrame();
        } catch (InvalidProtocolBufferException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        try {
            frame.asHostFrame();
        } catch (InvalidProtocolBufferException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        try {
            frame.batchRowCount();
            frame.resultBatchId();
        } catch (BatchFormatException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Property
    void aBatchOfAnyRowsReadsBackAsWritten(@ForAll("rowCounts") int rows, @ForAll long id) {
        ColumnarBatch written = WireCodecTest.sample(rows);
        WireBuffer wire = new WireBuffer(64);
        BatchEncoder.events(written, id, true, 7, wire);
        ColumnarBatch read = new ColumnarBatch(WireCodecTest.ALL_TYPES, 1);
        BatchDecoder decoder = new BatchDecoder();
        try {
            decoder.events(wire.toByteArray(), wire.length(), read);
        } catch (BatchFormatException e) {
            throw new AssertionError(e);
        }
        WireCodecTest.assertSameRows(read, written);
        assertThat(decoder.id()).isEqualTo(id);
    }

    @Provide
    Arbitrary<Integer> rowCounts() {
        return Arbitraries.integers().between(0, 300);
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
        Arbitrary<byte[]> valid = Arbitraries.integers().between(0, 40).map(WireFuzzTest::encoded);
        Arbitrary<byte[]> bent = Combinators.combine(valid, Arbitraries.integers().between(0, 3),
                Arbitraries.integers().greaterOrEqual(0), Arbitraries.bytes()).as(WireFuzzTest::bend);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(1, valid),
                net.jqwik.api.Tuple.of(6, bent));
    }

    private static byte[] encoded(int rows) {
        WireBuffer wire = new WireBuffer(64);
        BatchEncoder.events(WireCodecTest.sample(rows), rows + 1, rows % 2 == 0, rows, wire);
        return wire.toByteArray();
    }

    /** A valid frame with one byte flipped, the tail cut off, a run repeated, or a byte inserted. */
    private static byte[] bend(byte[] frame, int how, int where, byte value) {
        if (frame.length == 0) {
            return new byte[] {value};
        }
        int at = where % frame.length;
        return switch (how) {
            case 0 -> {
                byte[] flipped = frame.clone();
                flipped[at] ^= value == 0 ? 1 : value;
                yield flipped;
            }
            case 1 -> Arrays.copyOf(frame, at);
            case 2 -> {
                byte[] repeated = Arrays.copyOf(frame, frame.length + Math.min(16, frame.length - at));
                System.arraycopy(frame, at, repeated, frame.length, repeated.length - frame.length);
                yield repeated;
            }
            default -> {
                byte[] inserted = new byte[frame.length + 1];
                System.arraycopy(frame, 0, inserted, 0, at);
                inserted[at] = value;
                System.arraycopy(frame, at, inserted, at + 1, frame.length - at);
                yield inserted;
            }
        };
    }
}
