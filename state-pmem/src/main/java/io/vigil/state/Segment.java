package io.vigil.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One fixed-size file of the store, mapped whole. Its blocks are allocated when it is created
 * (written with zeros), so a full disk fails then, with an exception, rather than later as a
 * fault while writing through the mapping.
 */
final class Segment implements AutoCloseable {
    static final int HEADER_BYTES = 64;
    private static final long MAGIC = 0x5649_4749_4C53_4547L; // "VIGILSEG"
    // 2: checkpoint groups are keys (strings), not ints. 3: store.id beside the segments.
    private static final int FORMAT = 3;

    final int id;
    final Path path;
    final int size;
    private final FileChannel channel;
    private final MappedByteBuffer buffer;

    private Segment(int id, Path path, int size, FileChannel channel, MappedByteBuffer buffer) {
        this.id = id;
        this.path = path;
        this.size = size;
        this.channel = channel;
        this.buffer = buffer;
    }

    static Path fileName(Path directory, int id) {
        return directory.resolve(String.format("segment-%08d.vgl", id));
    }

    /** A spare is created under a name recovery ignores, and renamed into the log when it is needed. */
    static Path spareName(Path directory, int id) {
        return directory.resolve(String.format("segment-%08d.vgl.spare", id));
    }

    static Segment create(Path path, int id, int size, Mapper mapper) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
            for (long written = 0; written < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
                written += channel.write(zeros, written);
            }
            channel.force(true);
            MappedByteBuffer buffer = mapper.map(channel, size);
            buffer.putLong(0, MAGIC);
            buffer.putInt(8, FORMAT);
            buffer.putInt(12, id);
            buffer.putInt(16, size);
            buffer.force(0, HEADER_BYTES);
            return new Segment(id, path, size, channel, buffer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** @return the segment, or null when the file is not a complete segment of this store */
    static Segment open(Path path, Mapper mapper) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long length = channel.size();
        if (length < HEADER_BYTES || length > Integer.MAX_VALUE) {
            channel.close();
            return null;
        }
        MappedByteBuffer buffer = mapper.map(channel, (int) length);
        if (buffer.getLong(0) == MAGIC && buffer.getInt(8) != FORMAT) {
            int format = buffer.getInt(8);
            channel.close();
            throw new IOException(path + " is a segment of store format " + format + "; this store reads format " + FORMAT
                    + ": open it with the Vigil version that wrote it, or start on an empty state directory");
        }
        if (buffer.getLong(0) != MAGIC || buffer.getInt(8) != FORMAT || buffer.getInt(16) != length) {
            channel.close();
            return null;
        }
        return new Segment(buffer.getInt(12), path, (int) length, channel, buffer);
    }

    /** The same mapped file under its place in the log. */
    Segment renamedTo(Path target) throws IOException {
        Files.move(path, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new Segment(id, target, size, channel, buffer);
    }

    ByteBuffer buffer() {
        return buffer;
    }

    void force(int offset, int length) {
        if (length > 0) {
            buffer.force(offset, length);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
