package io.vigil.api.spi;

/** Identifies the shard an operator instance runs in. */
public record ShardContext(String operatorName, int shard, int shards, long version) {
}
