package io.vigil.adapter.siddhi;

import io.siddhi.query.api.SiddhiApp;
import io.siddhi.query.api.execution.ExecutionElement;
import io.siddhi.query.api.execution.partition.Partition;
import io.siddhi.query.api.execution.partition.PartitionType;
import io.siddhi.query.api.execution.partition.ValuePartitionType;
import io.siddhi.query.api.execution.query.Query;
import io.siddhi.query.api.execution.query.input.handler.Filter;
import io.siddhi.query.api.execution.query.input.handler.StreamHandler;
import io.siddhi.query.api.execution.query.input.handler.Window;
import io.siddhi.query.api.execution.query.input.state.AbsentStreamStateElement;
import io.siddhi.query.api.execution.query.input.state.CountStateElement;
import io.siddhi.query.api.execution.query.input.state.EveryStateElement;
import io.siddhi.query.api.execution.query.input.state.LogicalStateElement;
import io.siddhi.query.api.execution.query.input.state.NextStateElement;
import io.siddhi.query.api.execution.query.input.state.StateElement;
import io.siddhi.query.api.execution.query.input.state.StreamStateElement;
import io.siddhi.query.api.execution.query.input.stream.BasicSingleInputStream;
import io.siddhi.query.api.execution.query.input.stream.SingleInputStream;
import io.siddhi.query.api.execution.query.input.stream.StateInputStream;
import io.siddhi.query.api.execution.query.output.stream.OutputStream;
import io.siddhi.query.api.execution.query.selection.OutputAttribute;
import io.siddhi.query.api.execution.query.selection.Selector;
import io.siddhi.query.api.expression.AttributeFunction;
import io.siddhi.query.api.expression.Expression;
import io.siddhi.query.api.expression.Variable;
import io.siddhi.query.api.expression.condition.And;
import io.siddhi.query.api.expression.condition.Compare;
import io.siddhi.query.api.expression.condition.In;
import io.siddhi.query.api.expression.condition.IsNull;
import io.siddhi.query.api.expression.condition.Not;
import io.siddhi.query.api.expression.condition.Or;
import io.siddhi.query.api.expression.math.Add;
import io.siddhi.query.api.expression.math.Divide;
import io.siddhi.query.api.expression.math.Mod;
import io.siddhi.query.api.expression.math.Multiply;
import io.siddhi.query.api.expression.math.Subtract;
import io.vigil.api.spi.SourceProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which queries of an app may run on more than one shard: those inside a partition on the key
 * field, those that read one event at a time (no window, aggregate, output rate, join or table),
 * and patterns whose every later state equates its key with an earlier state's
 * ({@code cardId == a.cardId}). Any other query answers over every key's events, which on several
 * shards would each see only their own keys. So does one that emits on time (expired events, a
 * time batch, an absence), even in a partition: Siddhi's playback time moves with every key's
 * events, so when it fires depends on the other keys.
 */
final class KeyPartitioning {
    private static final Set<String> AGGREGATORS = Set.of("sum", "count", "avg", "max", "min", "distinctcount", "stddev",
            "maxforever", "minforever", "and", "or", "unionset");

    private static final Set<String> ON_TIME_WINDOWS = Set.of("timebatch", "cron", "session", "delay");

    private KeyPartitioning() {
    }

    /** A problem at each query that reads more than one key's events; empty when the app may run on several shards. */
    static List<SourceProblem> problems(SiddhiApp app, String inputStream, String key, int shards) {
        List<SourceProblem> problems = new ArrayList<>();
        for (ExecutionElement element : app.getExecutionElementList()) {
            boolean partitioned = element instanceof Partition partition && partitionedBy(partition, inputStream, key);
            List<Query> queries = element instanceof Partition partition ? partition.getQueryList() : List.of((Query) element);
            for (Query query : queries) {
                String why = firesOnTime(query);
                if (why == null && !partitioned) {
                    why = element instanceof Partition ? "is in a partition that is not on '" + key + "' of " + inputStream
                            : whyAcrossKeys(query, key);
                }
                if (why != null) {
                    int[] at = query.getQueryContextStartIndex();
                    problems.add(new SourceProblem("query " + why + ": it reads the events of more than one key, so on " + shards
                            + " shards each would answer for its own keys only; deploy it with 'shards: 1'"
                            + (partitioned ? "" : ", or put it in 'partition with (" + key + " of " + inputStream + ") begin ... end;'"),
                            at == null ? 1 : Math.max(1, at[0] - SiddhiApps.HEADER_LINES), at == null ? 1 : at[1] + 1));
                }
            }
        }
        return problems;
    }

    /**
     * Why the query emits on time rather than on its own key's events; null when it does not.
     * Siddhi's playback time moves with every key's events, so when such a result comes out
     * depends on the other keys even inside a partition.
     */
    private static String firesOnTime(Query query) {
        OutputStream.OutputEventType emitted = query.getOutputStream().getOutputEventType();
        if (emitted != OutputStream.OutputEventType.CURRENT_EVENTS) {
            return "emits expired events, which leave on time";
        }
        if (query.getInputStream() instanceof SingleInputStream single && single.getStreamHandlers().stream()
                .anyMatch(handler -> handler instanceof Window window && ON_TIME_WINDOWS.contains(window.getName().toLowerCase(Locale.ROOT)))) {
            return "keeps a window that emits on time";
        }
        if (query.getInputStream() instanceof StateInputStream states) {
            List<StreamStateElement> elements = new ArrayList<>();
            flatten(states.getStateElement(), elements);
            if (elements.stream().anyMatch(AbsentStreamStateElement.class::isInstance)) {
                return "waits for an absence, which fires on time";
            }
        }
        return null;
    }

    private static boolean partitionedBy(Partition partition, String inputStream, String key) {
        PartitionType type = partition.getPartitionTypeMap().get(inputStream);
        return type instanceof ValuePartitionType value && value.getExpression() instanceof Variable variable
                && variable.getAttributeName().equals(key);
    }

    /**
     * Why the query, outside a partition, reads across keys; null when it reads one event at a time
     * or is a pattern whose every later state is correlated with an earlier one on the key.
     */
    private static String whyAcrossKeys(Query query, String key) {
        if (query.getInputStream() instanceof StateInputStream states) {
            if (states.getStateType() == StateInputStream.Type.SEQUENCE) {
                return "matches a sequence (any key's event in between breaks it)";
            }
            return correlatedOnKey(states.getStateElement(), key) ? null
                    : "matches a pattern whose states are not all correlated on '" + key + "' (" + key + " == e1." + key + ")";
        }
        if (!(query.getInputStream() instanceof SingleInputStream single)) {
            return "joins streams";
        }
        if (single.getStreamHandlers().stream().anyMatch(Window.class::isInstance)) {
            return "keeps a window";
        }
        if (query.getOutputRate() != null) {
            return "limits its output rate";
        }
        Selector selector = query.getSelector();
        if (!selector.getGroupByList().isEmpty() || selector.getHavingExpression() != null && aggregates(selector.getHavingExpression())) {
            return "groups events";
        }
        for (OutputAttribute attribute : selector.getSelectionList()) {
            if (aggregates(attribute.getExpression())) {
                return "aggregates events";
            }
        }
        for (StreamHandler handler : single.getStreamHandlers()) {
            for (Expression parameter : handler.getParameters()) {
                if (aggregates(parameter)) {
                    return "reads a table or aggregates in a filter";
                }
            }
        }
        return null;
    }

    /** Whether every state after the first has a filter that equates its key with an earlier state's. */
    private static boolean correlatedOnKey(StateElement pattern, String key) {
        List<StreamStateElement> states = new ArrayList<>();
        flatten(pattern, states);
        Set<String> earlier = new HashSet<>();
        for (int i = 0; i < states.size(); i++) {
            BasicSingleInputStream stream = states.get(i).getBasicSingleInputStream();
            if (i > 0 && stream.getStreamHandlers().stream().noneMatch(handler -> handler instanceof Filter filter
                    && equatesKey(filter.getParameters()[0], key, earlier))) {
                return false;
            }
            if (stream.getStreamReferenceId() != null) {
                earlier.add(stream.getStreamReferenceId());
            }
        }
        return true;
    }

    private static void flatten(StateElement element, List<StreamStateElement> into) {
        if (element instanceof StreamStateElement stream) {
            into.add(stream);
        } else if (element instanceof NextStateElement next) {
            flatten(next.getStateElement(), into);
            flatten(next.getNextStateElement(), into);
        } else if (element instanceof EveryStateElement every) {
            flatten(every.getStateElement(), into);
        } else if (element instanceof CountStateElement count) {
            flatten(count.getStreamStateElement(), into);
        } else if (element instanceof LogicalStateElement logical) {
            flatten(logical.getStreamStateElement1(), into);
            flatten(logical.getStreamStateElement2(), into);
        }
    }

    /** Whether {@code condition}, a chain of ands, requires {@code key == s.key} for some earlier state s. */
    private static boolean equatesKey(Expression condition, String key, Set<String> earlier) {
        if (condition instanceof And and) {
            return equatesKey(and.getLeftExpression(), key, earlier) || equatesKey(and.getRightExpression(), key, earlier);
        }
        return condition instanceof Compare compare && compare.getOperator() == Compare.Operator.EQUAL
                && compare.getLeftExpression() instanceof Variable left && compare.getRightExpression() instanceof Variable right
                && left.getAttributeName().equals(key) && right.getAttributeName().equals(key)
                && (earlier.contains(left.getStreamId()) != earlier.contains(right.getStreamId()));
    }

    /** Whether the expression aggregates over events or looks into a table. */
    private static boolean aggregates(Expression expression) {
        if (expression instanceof AttributeFunction function) {
            if ((function.getNamespace() == null || function.getNamespace().isEmpty()) && AGGREGATORS.contains(function.getName().toLowerCase(Locale.ROOT))) {
                return true;
            }
            for (Expression parameter : function.getParameters()) {
                if (aggregates(parameter)) {
                    return true;
                }
            }
            return false;
        }
        if (expression instanceof In) {
            return true;
        }
        if (expression instanceof Add e) {
            return aggregates(e.getLeftValue()) || aggregates(e.getRightValue());
        }
        if (expression instanceof Subtract e) {
            return aggregates(e.getLeftValue()) || aggregates(e.getRightValue());
        }
        if (expression instanceof Multiply e) {
            return aggregates(e.getLeftValue()) || aggregates(e.getRightValue());
        }
        if (expression instanceof Divide e) {
            return aggregates(e.getLeftValue()) || aggregates(e.getRightValue());
        }
        if (expression instanceof Mod e) {
            return aggregates(e.getLeftValue()) || aggregates(e.getRightValue());
        }
        if (expression instanceof And e) {
            return aggregates(e.getLeftExpression()) || aggregates(e.getRightExpression());
        }
        if (expression instanceof Or e) {
            return aggregates(e.getLeftExpression()) || aggregates(e.getRightExpression());
        }
        if (expression instanceof Compare e) {
            return aggregates(e.getLeftExpression()) || aggregates(e.getRightExpression());
        }
        if (expression instanceof Not e) {
            return aggregates(e.getExpression());
        }
        if (expression instanceof IsNull e) {
            return e.getExpression() != null && aggregates(e.getExpression());
        }
        return false;
    }
}
