package io.vigil.examples.fraud;

import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** Collects a local job's output in this JVM, for the demo and tests that run Flink in-process. */
public final class CollectingSink<T> implements Sink<T> {
    private static final ConcurrentMap<String, Queue<Object>> RESULTS = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    public CollectingSink() {
        RESULTS.put(id, new ConcurrentLinkedQueue<>());
    }

    @SuppressWarnings("unchecked")
    public Queue<T> results() {
        return (Queue<T>) RESULTS.get(id);
    }

    public void release() {
        RESULTS.remove(id);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> results = RESULTS.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                results.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
            }
        };
    }
}
