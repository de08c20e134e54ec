package io.vigil.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;

/**
 * An exactly-once sink for tests: what arrives between two checkpoints is staged with the
 * checkpoint that follows it, kept in Flink state, and committed (idempotently, per checkpoint)
 * only once Flink says that checkpoint completed — what a transactional file or Kafka sink does.
 */
final class CommittingSink extends RichSinkFunction<String> implements CheckpointedFunction, CheckpointListener {
    private static final Map<String, Map<Long, List<String>>> COMMITTED = new ConcurrentHashMap<>();

    private final String id;
    private transient List<String> pending;
    private transient TreeMap<Long, List<String>> staged;
    private transient ListState<String> state;

    CommittingSink(String id) {
        this.id = id;
        COMMITTED.put(id, new ConcurrentHashMap<>());
    }

    /** Everything committed, in checkpoint order. */
    static List<String> committed(String id) {
        List<String> all = new ArrayList<>();
        new TreeMap<>(COMMITTED.get(id)).values().forEach(all::addAll);
        return all;
    }

    @Override
    public void invoke(String value, Context context) {
        pending.add(value);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        staged.put(context.getCheckpointId(), new ArrayList<>(pending));
        pending.clear();
        List<String> lines = new ArrayList<>();
        staged.forEach((checkpoint, values) -> values.forEach(v -> lines.add(checkpoint + "\t" + v)));
        state.update(lines);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        var done = staged.headMap(checkpointId, true);
        done.forEach((checkpoint, values) -> COMMITTED.get(id).putIfAbsent(checkpoint, List.copyOf(values)));
        done.clear();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pending = new ArrayList<>();
        staged = new TreeMap<>();
        state = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("staged", String.class));
        if (context.isRestored()) {
            for (String line : state.get()) {
                int tab = line.indexOf('\t');
                staged.computeIfAbsent(Long.parseLong(line.substring(0, tab)), c -> new ArrayList<>()).add(line.substring(tab + 1));
            }
            // Restored state comes from a completed checkpoint: what it staged is committed.
            staged.forEach((checkpoint, values) -> COMMITTED.get(id).putIfAbsent(checkpoint, List.copyOf(values)));
            staged.clear();
        }
    }
}
