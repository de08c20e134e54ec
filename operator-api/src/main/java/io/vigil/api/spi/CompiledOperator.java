package io.vigil.api.spi;

/** A compiled operator version, from which the host creates one instance per shard. */
public interface CompiledOperator {

    OperatorDefinition definition();

    /** Creates the instance one shard runs. Called off the hot path, on any thread. */
    OperatorInstance instantiate(ShardContext shard) throws Exception;
}
