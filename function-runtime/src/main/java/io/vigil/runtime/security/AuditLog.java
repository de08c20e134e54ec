package io.vigil.runtime.security;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import io.vigil.runtime.logging.JsonLine;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per control-plane change and per refused call: when, who (and how the host knew),
 * what, on which operator, and the outcome. Appended to a file and flushed line by line, or given
 * to the {@code io.vigil.audit} logger when the host has no file for it.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.vigil.audit");
    private final Writer file;
    private final Path path;

    private AuditLog(Path path, Writer file) {
        this.path = path;
        this.file = file;
    }

    /** Appends to {@code path}, creating it (and its folder) when missing. */
    public static AuditLog toFile(Path path) throws IOException {
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        return new AuditLog(path, Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    public static AuditLog toLogger() {
        return new AuditLog(null, null);
    }

    /**
     * @param action  the call: deploy, update, rescale, undeploy, stream, read-checkpoint, list, describe
     * @param outcome "ok", or the status code it was refused or failed with
     */
    public void record(Caller caller, String action, String operator, String outcome, String detail) {
        String line = new JsonLine().field("time", Instant.now().toString()).field("caller", caller.name())
                .field("authenticatedBy", caller.authenticatedBy()).field("action", action).field("operator", operator)
                .field("outcome", outcome).field("detail", detail == null || detail.isEmpty() ? null : detail).toString();
        if (file == null) {
            LOG.info("{}", line);
            return;
        }
        synchronized (this) {
            try {
                file.write(line + "\n");
                file.flush();
            } catch (IOException e) {
                LOG.error("Cannot write the audit log {}; the entry was: {}", path, line, e);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    @Override
    public String toString() {
        return path == null ? "the io.vigil.audit log" : path.toString();
    }
}
