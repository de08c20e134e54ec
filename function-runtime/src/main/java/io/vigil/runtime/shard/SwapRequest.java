package io.vigil.runtime.shard;

import java.util.concurrent.CompletableFuture;

/** How a swap carries state: the log serial the new version has replayed through off the hot path (-1: none). */
record SwapRequest(long replayedThrough, CompletableFuture<Void> done) {
}
