package io.vigil.api.spi;

/** A compiled operator version, from which the host creates one instance per shard. */
public interface CompiledOperator {

    OperatorDefinition definition();

    /**
     * How far back, in event time before the operator's clock, an input can still change what the
     * operator emits: its longest window or {@code within}. The host keeps that much of the input
     * to rebuild state for operators that write no snapshot of their own. 0 means stateless.
     */
    long stateHorizonMillis();

    /** Creates the instance one shard runs. Called off the hot path, on any thread. */
    OperatorInstance instantiate(ShardContext shard) throws Exception;

    /**
     * Creates the instance that will replace {@code previous} (an instance of an earlier version,
     * still running) on a shard, for an update that carries state. An instance that can take parts
     * of {@code previous} over as they are leaves them out here, says so in
     * {@link OperatorInstance#replayHorizonMillis}, and takes them in {@link OperatorInstance#takeOver}.
     * Called off the hot path; must not touch {@code previous}'s state.
     */
    default OperatorInstance instantiateReplacing(ShardContext shard, OperatorInstance previous) throws Exception {
        return instantiate(shard);
    }
}
