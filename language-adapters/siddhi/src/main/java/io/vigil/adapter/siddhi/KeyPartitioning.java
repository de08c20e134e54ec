package io.vigil.adapter.siddhi;

import io.siddhi.query.api.SiddhiApp;
import io.siddhi.query.api.execution.ExecutionElement;
import io.siddhi.query.api.execution.partition.Partition;
import io.siddhi.query.api.execution.partition.PartitionType;
import io.siddhi.query.api.execution.partition.ValuePartitionType;
import io.siddhi.query.api.execution.query.Query;
import io.siddhi.query.api.execution.query.input.handler.StreamHandler;
import io.siddhi.query.api.execution.query.input.handler.Window;
import io.siddhi.query.api.execution.query.input.stream.SingleInputStream;
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
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which queries of an app may run on more than one shard: those inside a partition on the key
 * field, and those that read one event at a time (no window, aggregate, output rate, pattern,
 * sequence, join or table). Any other query answers over every key's events, which on several
 * shards would each see only their own keys.
 */
final class KeyPartitioning {
    private static final Set<String> AGGREGATORS = Set.of("sum", "count", "avg", "max", "min", "distinctcount", "stddev",
            "maxforever", "minforever", "and", "or", "unionset");

    private KeyPartitioning() {
    }

    /** A problem at each query that reads more than one key's events; empty when the app may run on several shards. */
    static List<SourceProblem> problems(SiddhiApp app, String inputStream, String key, int shards) {
        List<SourceProblem> problems = new ArrayList<>();
        for (ExecutionElement element : app.getExecutionElementList()) {
            if (element instanceof Partition partition && partitionedBy(partition, inputStream, key)) {
                continue;
            }
            List<Query> queries = element instanceof Partition partition ? partition.getQueryList() : List.of((Query) element);
            for (Query query : queries) {
                String why = element instanceof Partition ? "is in a partition that is not on '" + key + "' of " + inputStream
                        : whyAcrossKeys(query);
                if (why != null) {
                    int[] at = query.getQueryContextStartIndex();
                    problems.add(new SourceProblem("query " + why + ": it reads the events of more than one key, so on " + shards
                            + " shards each would answer for its own keys only; deploy it with 'shards: 1', or put it in "
                            + "'partition with (" + key + " of " + inputStream + ") begin ... end;'",
                            at == null ? 1 : Math.max(1, at[0] - SiddhiApps.HEADER_LINES), at == null ? 1 : at[1] + 1));
                }
            }
        }
        return problems;
    }

    private static boolean partitionedBy(Partition partition, String inputStream, String key) {
        PartitionType type = partition.getPartitionTypeMap().get(inputStream);
        return type instanceof ValuePartitionType value && value.getExpression() instanceof Variable variable
                && variable.getAttributeName().equals(key);
    }

    /** Why the query, outside a partition, reads across keys; null when it reads one event at a time. */
    private static String whyAcrossKeys(Query query) {
        if (!(query.getInputStream() instanceof SingleInputStream single)) {
            return "joins streams or matches a pattern or sequence";
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
