package io.vigil.examples.fraud;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A throw-away state directory for local runs: on tmpfs (standing in for persistent memory where
 * there is no DAX mount) when it has room, otherwise in the temporary directory.
 */
public final class LocalStateDirectory {
    private static final long ROOM_NEEDED = 2L << 30;
    private static final Map<Path, Thread> EXIT_HOOKS = new ConcurrentHashMap<>();

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

    /** A new directory under {@code root}, deleted when the JVM exits (Ctrl-C included) unless {@link #delete}d before. */
    public static Path create(Path root, String prefix) throws IOException {
        Path directory = Files.createTempDirectory(root, prefix);
        Thread hook = new Thread(() -> {
            try {
                deleteTree(directory);
            } catch (IOException e) {
                System.err.println("could not delete " + directory + ": " + e.getMessage());
            }
        }, "delete " + directory);
        Runtime.getRuntime().addShutdownHook(hook);
        EXIT_HOOKS.put(directory, hook);
        return directory;
    }

    public static void delete(Path directory) throws IOException {
        if (directory == null) {
            return;
        }
        Thread hook = EXIT_HOOKS.remove(directory);
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // The JVM is shutting down: the hook deletes the directory too, which is harmless.
                return;
            }
        }
        deleteTree(directory);
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
