package io.vigil.api.function;

/**
 * An operator written in Java. The host calls it from one shard's thread, one event at a time in
 * key order; everything it must remember goes in the state it declares in {@link #open}, which the
 * host owns: checkpoints, recovery and hot swaps carry that state without the function doing
 * anything. A function needs a public no-argument constructor.
 */
public interface KeyedFunction {

    /** Declares the function's state and reads its options; called once per shard before any event. */
    default void open(FunctionContext context) {
    }

    /** Handles one event; state accessed here is the state of the event's key. */
    void process(Event event, Results results) throws Exception;
}
