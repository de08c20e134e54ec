package io.vigil.benchmarks.swap;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompiler;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Strategy (ii): how an Esper application changes a rule — compile the new module, undeploy the
 * old, deploy the new — on one runtime that one thread feeds at the run's pace, as a Vigil shard
 * does. Events sent between the undeploy and the deploy meet no statement; the new statements
 * start with no state.
 */
final class EmbeddedRedeploy {
    private final SwapWorkload workload;
    private final Configuration configuration = new Configuration();
    private final EPCompiler compiler = EPCompilerProvider.getCompiler();
    private final EPCompiled schema;

    EmbeddedRedeploy(SwapWorkload workload) throws Exception {
        this.workload = workload;
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        schema = compiler.compile("@public @buseventtype create objectarray schema Txn "
                + "(txnId string, cardId string, amount java.lang.Double, ts java.lang.Long, bornNanos java.lang.Long)",
                new CompilerArguments(configuration));
    }

    /** Every event once through one runtime at full speed, no swap: which events raise an alert. */
    boolean[] reference() throws Exception {
        SwapOutcome outcome = run(0, 0, "reference");
        boolean[] alerts = new boolean[workload.events];
        for (int i = 0; i < alerts.length; i++) {
            alerts[i] = outcome.alerts.get(i) > 0;
        }
        return alerts;
    }

    SwapOutcome run(double eventsPerSecond, int swaps, String label) throws Exception {
        SwapOutcome outcome = new SwapOutcome(label, workload.events);
        EPRuntime runtime = EPRuntimeProvider.getRuntime("redeploy-" + UUID.randomUUID(), configuration);
        try {
            runtime.getDeploymentService().deploy(schema);
            EPDeployment[] current = {deploy(runtime, compile(1), outcome)};
            EventSender sender = runtime.getEventService().getEventSender("Txn");
            long durationNanos = eventsPerSecond > 0 ? (long) (workload.events / eventsPerSecond * 1e9) : 0;
            long start = System.nanoTime();
            Thread swapper = new Thread(() -> {
                try {
                    for (int k = 1; k <= swaps; k++) {
                        long at = start + durationNanos * k / (swaps + 1);
                        LockSupport.parkNanos(at - System.nanoTime());
                        long called = System.nanoTime();
                        EPCompiled next = compile(k + 1);
                        long gapStart = System.nanoTime();
                        runtime.getDeploymentService().undeploy(current[0].getDeploymentId());
                        current[0] = deploy(runtime, next, outcome);
                        long active = System.nanoTime();
                        outcome.pauseMicros.add((active - gapStart) / 1000);
                        outcome.callToActiveMicros.add((active - called) / 1000);
                        outcome.swaps++;
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "esper-redeploy");
            swapper.start();
            long clock = Long.MIN_VALUE;
            for (int i = 0; i < workload.events; i++) {
                if (eventsPerSecond > 0) {
                    long due = start + (long) (i * 1e9 / eventsPerSecond);
                    while (System.nanoTime() < due) {
                        LockSupport.parkNanos(due - System.nanoTime());
                    }
                }
                long watermark = workload.timestamps[i] - 1;
                if (watermark > clock) {
                    clock = watermark;
                    runtime.getEventService().advanceTime(clock);
                }
                sender.sendEvent(workload.rows[i]);
            }
            outcome.elapsedNanos = System.nanoTime() - start;
            swapper.join(TimeUnit.MINUTES.toMillis(1));
            return outcome;
        } finally {
            runtime.destroy();
        }
    }

    private EPCompiled compile(int version) throws Exception {
        CompilerArguments arguments = new CompilerArguments(configuration);
        arguments.getPath().add(schema);
        return compiler.compile(SwapWorkload.epl(version, workload.horizonSeconds), arguments);
    }

    private static EPDeployment deploy(EPRuntime runtime, EPCompiled compiled, SwapOutcome outcome) throws Exception {
        EPDeployment deployment = runtime.getDeploymentService().deploy(compiled);
        for (EPStatement statement : deployment.getStatements()) {
            boolean seen = statement.getName().equals("SEEN");
            statement.addListener((newEvents, oldEvents, s, r) -> {
                for (EventBean event : newEvents) {
                    int index = (int) (long) (Long) event.get("bornNanos");
                    if (seen) {
                        outcome.processed(index);
                    } else {
                        outcome.alert(index);
                    }
                }
            });
        }
        return deployment;
    }
}
