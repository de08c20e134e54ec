package io.vigil.state;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Maps segment files: with {@code ExtendedMapMode.READ_WRITE_SYNC} where the file system is DAX
 * (persistent memory), otherwise as an ordinary read-write mapping. The first mapping decides,
 * and the store reports which mode it runs in and why.
 */
final class Mapper {
    private DurabilityMode mode;
    private String reason;

    MappedByteBuffer map(FileChannel channel, int size) throws IOException {
        if (mode == null) {
            try {
                MappedByteBuffer synced = channel.map(jdk.nio.mapmode.ExtendedMapMode.READ_WRITE_SYNC, 0, size);
                mode = DurabilityMode.PMEM_SYNC;
                reason = "READ_WRITE_SYNC mapping accepted: the file system is DAX, a flush is a cache-line write-back";
                return synced;
            } catch (UnsupportedOperationException | IOException refused) {
                mode = DurabilityMode.MAPPED_FORCE;
                reason = "READ_WRITE_SYNC mapping refused (" + refused.getMessage()
                        + "): not a DAX file system, so flushes write pages back with MappedByteBuffer.force";
            }
        }
        return channel.map(mode == DurabilityMode.PMEM_SYNC ? jdk.nio.mapmode.ExtendedMapMode.READ_WRITE_SYNC
                : FileChannel.MapMode.READ_WRITE, 0, size);
    }

    DurabilityMode mode() {
        return mode;
    }

    String reason() {
        return reason;
    }
}
