package io.vigil.examples.fraud;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A throw-away state directory for local runs: on tmpfs (standing in for persistent memory where
 * there is no DAX mount) when it has room, otherwise in the temporary directory.
 */
public final class LocalStateDirectory {
    private static final long ROOM_NEEDED = 2L << 30;

    private LocalStateDirectory() {
    }

    public static Path defaultRoot() {
        Path shm = Path.of("/dev/shm");
        try {
            if (Files.isDirectory(shm) && Files.getFileStore(shm).getUsableSpace() > ROOM_NEEDED) {
                return shm;
            }
        } catch (IOException e) {
            // No usable tmpfs: fall through to the temporary directory.
            return Path.of(System.getProperty("java.io.tmpdir"));
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    public static Path create(Path root, String prefix) throws IOException {
        return Files.createTempDirectory(root, prefix);
    }

    public static void delete(Path directory) throws IOException {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
