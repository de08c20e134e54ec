package io.vigil.runtime.shard;

/**
 * What a shard has done so far; read from any thread, written only by the shard's own thread.
 * {@code pendingBatches} is how many batches it has accepted and not yet answered: what credits bound.
 */
public record ShardStats(int shard, long version, long eventsProcessed, long resultsEmitted, int openStreams, long eventTime,
                         int pendingBatches, int eventsHeld, long lateEvents, long watermark) {
}
