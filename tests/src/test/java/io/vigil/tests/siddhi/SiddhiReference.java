package io.vigil.tests.siddhi;

import io.siddhi.core.SiddhiAppRuntime;
import io.siddhi.core.SiddhiManager;
import io.siddhi.core.event.Event;
import io.siddhi.core.query.QueryRuntimeImpl;
import io.siddhi.core.stream.input.InputHandler;
import io.siddhi.core.stream.output.StreamCallback;
import io.siddhi.core.util.timestamp.TimestampGeneratorImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Siddhi itself, as a user runs it on a recorded stream: an app in playback mode, the events sent
 * in timestamp order with their timestamps, and at the end its playback clock moved on by
 * {@code flushMillis}, as a playback heartbeat would. Loaded in a class loader of its own beside
 * Siddhi's jars (Siddhi embeds logging classes that clash with Flink's), so its one method takes and
 * returns JDK types only.
 */
public final class SiddhiReference {
    private SiddhiReference() {
    }

    /**
     * @param app the whole app: playback annotation, input stream definition, the queries
     * @param rows the input rows in timestamp order, each ending with its timestamp
     * @return every row of {@code output} as {@code label|k|v|time}, time being the playback clock when it was emitted
     */
    public static List<String> run(String app, String input, String output, List<Object[]> rows, long flushMillis) throws Exception {
        // Siddhi finds its built-in windows and functions through the context class loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(SiddhiReference.class.getClassLoader());
        try {
            return runIn(app, input, output, rows, flushMillis);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static List<String> runIn(String app, String input, String output, List<Object[]> rows, long flushMillis) throws Exception {
        SiddhiManager manager = new SiddhiManager();
        SiddhiAppRuntime runtime = manager.createSiddhiAppRuntime(app);
        List<String> emitted = new ArrayList<>();
        long[] now = {Long.MIN_VALUE};
        runtime.addCallback(output, new StreamCallback() {
            @Override
            public void receive(Event[] events) {
                for (Event event : events) {
                    Object[] data = event.getData();
                    emitted.add(data[0] + "|" + data[1] + "|" + data[2] + "|" + now[0]);
                }
            }
        });
        try {
            runtime.start();
            InputHandler handler = runtime.getInputHandler(input);
            for (Object[] row : rows) {
                long timestamp = (Long) row[row.length - 1];
                now[0] = timestamp;
                handler.send(timestamp, row);
            }
            TimestampGeneratorImpl clock = clockOf(runtime);
            if (clock != null && now[0] != Long.MIN_VALUE) {
                now[0] += flushMillis;
                clock.setCurrentTimestamp(now[0]);
            }
        } finally {
            runtime.shutdown();
            manager.shutdown();
        }
        return emitted;
    }

    private static TimestampGeneratorImpl clockOf(SiddhiAppRuntime runtime) {
        return Stream.concat(runtime.getQueries().stream(), runtime.getPartitions().stream().flatMap(p -> p.getQueries().stream()))
                .filter(QueryRuntimeImpl.class::isInstance)
                .map(query -> ((QueryRuntimeImpl) query).getSiddhiQueryContext().getSiddhiAppContext().getTimestampGenerator())
                .filter(TimestampGeneratorImpl.class::isInstance)
                .map(TimestampGeneratorImpl.class::cast)
                .findFirst()
                .orElse(null);
    }
}
