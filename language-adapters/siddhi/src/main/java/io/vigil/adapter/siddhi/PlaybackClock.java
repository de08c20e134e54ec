package io.vigil.adapter.siddhi;

import io.siddhi.core.SiddhiAppRuntime;
import io.siddhi.core.query.QueryRuntimeImpl;
import io.siddhi.core.util.timestamp.TimestampGeneratorImpl;
import java.util.stream.Stream;

/**
 * A playback app's clock. Events move it as they arrive; Vigil's watermarks move it between them,
 * so time windows expire and absence patterns fire at the watermark, as they would with events.
 */
final class PlaybackClock {
    private final TimestampGeneratorImpl time;

    private PlaybackClock(TimestampGeneratorImpl time) {
        this.time = time;
    }

    /** The clock of {@code runtime}; null for an app without queries, which has nothing that time drives. */
    static PlaybackClock of(SiddhiAppRuntime runtime) {
        // Siddhi reaches the app's context only through its queries, partitioned or not.
        return Stream.concat(runtime.getQueries().stream(), runtime.getPartitions().stream().flatMap(p -> p.getQueries().stream()))
                .filter(QueryRuntimeImpl.class::isInstance)
                .map(query -> ((QueryRuntimeImpl) query).getSiddhiQueryContext().getSiddhiAppContext().getTimestampGenerator())
                .filter(TimestampGeneratorImpl.class::isInstance)
                .map(generator -> new PlaybackClock((TimestampGeneratorImpl) generator))
                .findFirst()
                .orElse(null);
    }

    /** Moves the clock to {@code eventTime} if later; what time drives runs now, on this thread. */
    void advanceTo(long eventTime) {
        if (eventTime > time.currentTime()) {
            time.setCurrentTimestamp(eventTime);
        }
    }
}
