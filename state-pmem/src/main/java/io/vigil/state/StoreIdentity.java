package io.vigil.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.zip.CRC32C;

/**
 * The file {@code store.id} beside the segments: the store's incarnation (random, drawn when the
 * store is created, carried in every handle to a checkpoint, so a handle never names a checkpoint
 * of another store that happens to have its number) and the ceiling of the checkpoint ids it may
 * have used. Ids are reserved a block at a time before a root uses them, so after any crash or
 * damage the next id is above every id the store ever handed out.
 */
final class StoreIdentity {
    static final String FILE = "store.id";
    static final long ID_BLOCK = 1024;
    private static final long MAGIC = 0x5649_4749_4C53_544FL; // "VIGILSTO"
    private static final int FORMAT = 1;
    private static final int BYTES = 36;

    final long incarnation;
    final long idCeiling;

    private StoreIdentity(long incarnation, long idCeiling) {
        this.incarnation = incarnation;
        this.idCeiling = idCeiling;
    }

    static StoreIdentity fresh() {
        long incarnation;
        do {
            incarnation = new SecureRandom().nextLong();
        } while (incarnation == 0);
        return new StoreIdentity(incarnation, 0);
    }

    /** The identity in {@code directory}: null when there is no file; an exception naming the damage when it is unreadable. */
    static StoreIdentity read(Path directory) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (bytes.length != BYTES || buffer.getLong(0) != MAGIC || buffer.getInt(8) != FORMAT || buffer.getInt(32) != crc(bytes)) {
            throw new IOException(file + " is damaged (" + bytes.length + " bytes, magic, format or checksum wrong)");
        }
        return new StoreIdentity(buffer.getLong(16), buffer.getLong(24));
    }

    /** This identity with ids reserved up to {@code ceiling}. */
    StoreIdentity reserving(long ceiling) {
        return new StoreIdentity(incarnation, ceiling);
    }

    /** Writes the file so that it is either the old one or the new one after any crash. */
    void write(Path directory) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BYTES);
        buffer.putLong(0, MAGIC).putInt(8, FORMAT).putInt(12, 0).putLong(16, incarnation).putLong(24, idCeiling);
        buffer.putInt(32, crc(buffer.array()));
        Path temporary = directory.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            channel.write(buffer);
            channel.force(true);
        }
        Files.move(temporary, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel folder = FileChannel.open(directory, StandardOpenOption.READ)) {
            folder.force(true);
        }
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 32);
        return (int) crc.getValue();
    }
}
