package io.vigil.benchmarks;

import io.vigil.runtime.metrics.HostMetrics;
import io.vigil.runtime.shard.ShardMeters;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the metrics cost where they are recorded: a shard records each batch (its time and rows,
 * into Prometheus histograms bound to its labels), and a connector subtask each event (a counter
 * and the round-trip histogram). Compare with what a batch and an event cost in the end-to-end
 * harness to get the overhead. Run with {@code -prof gc}: neither allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsRecordingBenchmark {
    private ShardMeters meters;
    private final Counter events = new SimpleCounter();
    private final Recorder roundTrips = new Recorder(3);
    private long i;

    @Setup
    public void setUp() {
        meters = new HostMetrics(List::of, null).shard("bench", 0);
    }

    /** A shard's recording of one 1,024-row batch. */
    @Benchmark
    public void hostPerBatch() {
        meters.batch(150_000 + (i++ & 1023), 1024);
    }

    /** A connector subtask's recording of one event. */
    @Benchmark
    public void connectorPerEvent() {
        events.inc();
        roundTrips.recordValue(1_000 + (i++ & 1023));
    }
}
