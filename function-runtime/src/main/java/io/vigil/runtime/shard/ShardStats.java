package io.vigil.runtime.shard;

import io.vigil.api.proto.CheckpointPauses;

/**
 * What a shard has done so far; read from any thread, written only by the shard's own thread.
 * {@code pendingBatches} is how many batches it has accepted and not yet answered: what credits bound.
 * {@code feed} is the feed whose state it holds (null for none), {@code idleMillis} how long none of
 * that feed's streams has been open (0 while fed). {@code checkpointPauses}: how long each checkpoint
 * held the shard's thread. {@code busy}: the fraction of about the last ten seconds its thread spent working.
 * {@code stateBytes}: what its latest checkpoint's state holds in the store.
 */
public record ShardStats(int shard, long version, long eventsProcessed, long resultsEmitted, int openStreams, long eventTime,
                         int pendingBatches, int eventsHeld, long lateEvents, long watermark, String feed, long idleMillis,
                         long feedsReclaimed, CheckpointPauses checkpointPauses, double busy, long stateBytes) {
}
