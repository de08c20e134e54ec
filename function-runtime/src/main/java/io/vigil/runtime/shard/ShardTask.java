package io.vigil.runtime.shard;

import io.vigil.api.proto.Error;
import io.vigil.api.proto.EventBatch;
import io.vigil.api.spi.OperatorInstance;
import java.util.concurrent.CompletableFuture;

/** A slot of a shard's ring: one thing for the shard thread to do. Reused; cleared after handling. */
final class ShardTask {
    enum Kind { OPEN, BATCH, CLOSE_STREAM, FAIL_STREAM, SWAP, STOP }

    Kind kind;
    StreamSession session;
    EventBatch batch;
    boolean clientCompleted;
    Error.Code errorCode;
    String errorMessage;
    OperatorInstance nextInstance;
    long nextVersion;
    CompletableFuture<Void> done;

    void clear() {
        kind = null;
        session = null;
        batch = null;
        errorCode = null;
        errorMessage = null;
        nextInstance = null;
        done = null;
    }
}
