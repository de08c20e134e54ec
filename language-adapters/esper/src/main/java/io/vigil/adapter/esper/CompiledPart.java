package io.vigil.adapter.esper;

import com.espertech.esper.common.client.EPCompiled;

/**
 * One part of a compiled module: its statements compiled, which of them emit results, how much
 * state it holds, and a key that is equal for two parts exactly when they run the same EPL on the
 * same schemas with the same options.
 */
record CompiledPart(String key, EPCompiled module, OutputStatements outputs, long horizonMillis) {
}
