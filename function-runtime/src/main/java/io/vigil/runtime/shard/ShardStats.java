package io.vigil.runtime.shard;

/** What a shard has done so far; read from any thread, written only by the shard's own thread. */
public record ShardStats(int shard, long version, long eventsProcessed, long resultsEmitted, int openStreams, long eventTime) {
}
