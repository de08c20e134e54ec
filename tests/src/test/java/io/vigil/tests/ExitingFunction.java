package io.vigil.tests;

import io.vigil.api.function.Event;
import io.vigil.api.function.KeyedFunction;
import io.vigil.api.function.Results;

/** A Java operator that would stop the host's JVM at its first event. */
public final class ExitingFunction implements KeyedFunction {
    @Override
    public void process(Event event, Results results) {
        System.exit(3);
    }
}
