package io.vigil.runtime.shard;

import io.vigil.api.spi.OperatorInstance;
import java.util.concurrent.CompletableFuture;

/**
 * How a swap carries state: the log serial the new version has replayed through off the hot path
 * (-1: none). Completes with the instance replaced, for the caller to close off the shard's thread.
 */
record SwapRequest(long replayedThrough, CompletableFuture<OperatorInstance> done) {
}
