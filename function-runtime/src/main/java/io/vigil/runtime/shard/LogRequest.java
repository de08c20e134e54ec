package io.vigil.runtime.shard;

import io.vigil.runtime.state.ShardState;
import java.util.concurrent.CompletableFuture;

/** A request for the input log after a serial (-1: from the start), limited to a state horizon behind the shard's clock. */
record LogRequest(long afterSerial, long horizonMillis, CompletableFuture<ShardState.LogSnapshot> reply) {
}
