package io.vigil.runtime.shard;

import io.vigil.api.proto.SwapReport;
import io.vigil.api.spi.OperatorInstance;
import java.util.concurrent.CompletableFuture;

/**
 * A switch to a new version: its instance, whether it carries state at all, the log serial it has
 * replayed through off the hot path (-1: none), and what preparing it took (compile and replay
 * figures), which the shard's report completes. Completes with the instance replaced, for the
 * caller to close off the shard's thread.
 */
record SwapRequest(OperatorInstance next, ShardVersion nextVersion, boolean carry, long replayedThrough,
                   SwapReport preparation, CompletableFuture<OperatorInstance> done) {
}
