package io.vigil.runtime.shard;

import io.vigil.api.proto.StreamError;
import io.vigil.api.wire.Frame;
import java.util.concurrent.CompletableFuture;

/** A slot of a shard's ring: one thing for the shard thread to do. Reused; cleared after handling. */
final class ShardTask {
    enum Kind { OPEN, BATCH, BARRIER, CHECKPOINT_COMPLETE, CLOSE_STREAM, FAIL_STREAM, WAKE, STOP }

    Kind kind;
    StreamSession session;
    Frame batch;
    boolean clientCompleted;
    StreamError.Code errorCode;
    String errorMessage;
    long checkpointId;
    long emittedThrough;
    io.vigil.api.proto.StateHandle restore;
    CompletableFuture<Void> stopped;

    // Translators for RingBuffer.publishEvent: method references to static methods, so publishing
    // allocates nothing.

    static void open(ShardTask task, long sequence, StreamSession session, io.vigil.api.proto.StateHandle restore) {
        task.kind = Kind.OPEN;
        task.session = session;
        task.restore = restore;
    }

    static void barrier(ShardTask task, long sequence, StreamSession session, Long checkpointId, Long emittedThrough) {
        task.kind = Kind.BARRIER;
        task.session = session;
        task.checkpointId = checkpointId;
        task.emittedThrough = emittedThrough;
    }

    static void checkpointComplete(ShardTask task, long sequence, StreamSession session, Long checkpointId) {
        task.kind = Kind.CHECKPOINT_COMPLETE;
        task.session = session;
        task.checkpointId = checkpointId;
    }

    static void batch(ShardTask task, long sequence, StreamSession session, Frame batch) {
        task.kind = Kind.BATCH;
        task.session = session;
        task.batch = batch;
    }

    static void closeStream(ShardTask task, long sequence, StreamSession session, Boolean clientCompleted) {
        task.kind = Kind.CLOSE_STREAM;
        task.session = session;
        task.clientCompleted = clientCompleted;
    }

    static void failStream(ShardTask task, long sequence, StreamSession session, StreamError.Code code, String message) {
        task.kind = Kind.FAIL_STREAM;
        task.session = session;
        task.errorCode = code;
        task.errorMessage = message;
    }

    static void wake(ShardTask task, long sequence) {
        task.kind = Kind.WAKE;
    }

    static void stop(ShardTask task, long sequence, StreamError.Code code, String message, CompletableFuture<Void> done) {
        task.kind = Kind.STOP;
        task.errorCode = code;
        task.errorMessage = message;
        task.stopped = done;
    }

    void clear() {
        kind = null;
        session = null;
        batch = null;
        errorCode = null;
        errorMessage = null;
        restore = null;
        stopped = null;
    }
}
