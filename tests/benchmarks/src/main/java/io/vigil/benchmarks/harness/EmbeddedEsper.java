package io.vigil.benchmarks.harness;

import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * EPL run as variants (a) run it: an Esper runtime inside a Flink task, one per subtask, its clock
 * moved by the task's watermark before each event, events sent as object arrays.
 */
public final class EmbeddedEsper {
    private final EPRuntime runtime;
    private final EventSender sender;
    private long clock = Long.MIN_VALUE;

    /**
     * @param schema   an object-array schema declaration for the events, {@code @public @buseventtype}
     * @param rules    the EPL module, reading the schema's type
     * @param onResult each row any statement emits
     */
    public EmbeddedEsper(String schema, String eventType, String rules, Consumer<EventBean> onResult)
            throws EPCompileException, EPDeployException {
        Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        configuration.getRuntime().getExecution().setDisableLocking(true);
        var compiler = EPCompilerProvider.getCompiler();
        var compiledSchema = compiler.compile(schema, new CompilerArguments(configuration));
        CompilerArguments arguments = new CompilerArguments(configuration);
        arguments.getPath().add(compiledSchema);
        var compiledRules = compiler.compile(rules, arguments);
        runtime = EPRuntimeProvider.getRuntime("embedded-" + UUID.randomUUID(), configuration);
        runtime.getDeploymentService().deploy(compiledSchema);
        for (EPStatement statement : runtime.getDeploymentService().deploy(compiledRules).getStatements()) {
            statement.addListener((newEvents, oldEvents, s, r) -> {
                if (newEvents != null) {
                    for (EventBean row : newEvents) {
                        onResult.accept(row);
                    }
                }
            });
        }
        sender = runtime.getEventService().getEventSender(eventType);
    }

    /** Sends an event at {@code timestamp}, the clock first moved to the task's {@code watermark} when that is ahead. */
    public void send(long timestamp, long watermark, Object[] event) {
        if (clock == Long.MIN_VALUE) {
            clock = timestamp;
            runtime.getEventService().advanceTime(clock);
        } else if (watermark > clock) {
            clock = watermark;
            runtime.getEventService().advanceTime(clock);
        }
        sender.sendEvent(event);
    }

    public void destroy() {
        runtime.destroy();
    }
}
