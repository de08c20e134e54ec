package io.vigil.tests;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Passes a stream through, except that on the job's first attempt it holds the stream's tail
 * (from event {@code from} on) until a test's thread that acts on the running stream (injects a
 * failure, swaps a version) has finished, so that act falls mid-stream however slow the machine:
 * a swap that takes longer than the rest of the stream would otherwise land after the job had
 * ended. The job runs in the test's JVM, so the thread is found by a key the serialised function
 * carries.
 */
final class HeldTail<T> extends RichMapFunction<T, T> {
    private static final Map<String, Thread> FAILURES = new ConcurrentHashMap<>();
    private static final Map<String, Integer> LATEST_ATTEMPT = new ConcurrentHashMap<>();
    private static final long MOST_MILLIS = TimeUnit.SECONDS.toMillis(120);

    private final String failure;
    private final long from;
    private transient boolean firstAttempt;
    private transient long seen;

    private HeldTail(String failure, long from) {
        this.failure = failure;
        this.from = from;
    }

    /** Holds the tail from event {@code from} until {@code injector} ends. */
    static <T> HeldTail<T> from(long from, Thread injector) {
        String key = UUID.randomUUID().toString();
        FAILURES.put(key, injector);
        return new HeldTail<>(key, from);
    }

    @Override
    public void open(OpenContext context) {
        int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        LATEST_ATTEMPT.merge(failure, attempt, Math::max);
        firstAttempt = attempt == 0;
    }

    /** How many times the job was restored after its first attempt: at least once when the failure fell mid-stream. */
    int restarts() {
        return LATEST_ATTEMPT.getOrDefault(failure, 0);
    }

    @Override
    public T map(T value) throws InterruptedException {
        if (firstAttempt && ++seen == from) {
            FAILURES.get(failure).join(MOST_MILLIS);
        }
        return value;
    }
}
