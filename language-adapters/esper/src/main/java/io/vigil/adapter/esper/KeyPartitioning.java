package io.vigil.adapter.esper;

import com.espertech.esper.common.client.module.Module;
import com.espertech.esper.common.client.module.ModuleItem;
import io.vigil.api.spi.SourceProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether each statement of a module depends only on the events of one key, which is what lets
 * several shards, each with some of the keys, give the answers one runtime with all of them gives.
 * A statement qualifies when it keeps no state, or when its state is divided by the key: grouped
 * by it, partitioned by it, in a context partitioned by it, a window per key ({@code #groupwin}),
 * or a pattern, join, subquery or merge whose parts are correlated on it. Batch windows and
 * output rates never do: each shard would start its own cycle at its own first event; nor do
 * windows that expire by what arrives rather than by time ({@code #length}, {@code #ext_timed})
 * unless they are per key.
 */
final class KeyPartitioning {
    private static final Pattern ANNOTATIONS = Pattern.compile("@\\w+(\\s*\\([^)]*\\))?");
    private static final Pattern DECLARATION = Pattern.compile(
            "^\\s*create\\s+(schema|expression|window|table|variable|constant|index|context)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONTEXT = Pattern.compile("^\\s*create\\s+context\\s+(\\w+)\\s+partition\\s+by\\s+(\\w+)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern IN_CONTEXT = Pattern.compile("^\\s*context\\s+(\\w+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern BATCH = Pattern.compile("#(time_batch|ext_timed_batch|length_batch|time_length_batch)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern OUTPUT_RATE = Pattern.compile("\\boutput\\s+(all|first|last|snapshot\\s+)?\\s*every\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ARRIVAL_WINDOW = Pattern.compile(
            "#(length|ext_timed|firstlength|firstevent|lastevent|sort|rank|time_accum|firsttime|firstunique)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern AGGREGATE = Pattern.compile(
            "\\b(count|sum|avg|min|max|median|stddev|avedev|first|last|window|maxby|minby)\\s*\\(|\\bselect\\s+distinct\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern COMBINING = Pattern.compile("\\bpattern\\s*\\[|\\bjoin\\b|\\(\\s*select\\b|\\bon\\s+\\w+",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PATTERN_COMBINATION = Pattern.compile("->|\\[\\s*\\d+\\s*]|\\band\\b|\\bor\\b|\\bnot\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FROM_LIST = Pattern.compile("\\bfrom\\s+[^;]*?\\bas\\s+\\w+\\s*(unidirectional\\s*)?,",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private KeyPartitioning() {
    }

    /** A problem at each statement that reads more than one key's events; empty when the module may run on several shards. */
    static List<SourceProblem> problems(Module module, String key, int shards) {
        String k = Pattern.quote(key);
        Pattern groupedByKey = Pattern.compile("\\bgroup\\s+by\\s+[^;]*?\\b(\\w+\\.)?" + k + "\\b", Pattern.CASE_INSENSITIVE);
        Pattern partitionedByKey = Pattern.compile("\\bpartition\\s+by\\s+[^;]*?\\b(\\w+\\.)?" + k + "\\b", Pattern.CASE_INSENSITIVE);
        Pattern windowPerKey = Pattern.compile("#groupwin\\s*\\(\\s*(\\w+\\.)?" + k + "\\s*\\)|#unique\\s*\\(\\s*(\\w+\\.)?" + k + "\\s*\\)",
                Pattern.CASE_INSENSITIVE);
        Pattern correlated = Pattern.compile("\\b(\\w+\\.)?" + k + "\\s*=\\s*\\w+\\." + k + "\\b|\\b\\w+\\." + k + "\\s*=\\s*(\\w+\\.)?"
                + k + "\\b|\\[\\s*(\\w+\\.)?" + k + "\\s*]", Pattern.CASE_INSENSITIVE);
        Set<String> keyedContexts = new HashSet<>();
        List<SourceProblem> problems = new ArrayList<>();
        for (ModuleItem item : module.getItems()) {
            if (item.isCommentOnly()) {
                continue;
            }
            String text = ANNOTATIONS.matcher(StatementGroups.COMMENTS.matcher(item.getExpression()).replaceAll(" ")).replaceAll(" ");
            Matcher context = CONTEXT.matcher(text);
            if (context.find()) {
                if (context.group(2).equalsIgnoreCase(key)) {
                    keyedContexts.add(context.group(1).toLowerCase(Locale.ROOT));
                }
                continue;
            }
            if (DECLARATION.matcher(text).find()) {
                continue;
            }
            Matcher inContext = IN_CONTEXT.matcher(text);
            if (inContext.find() && keyedContexts.contains(inContext.group(1).toLowerCase(Locale.ROOT))) {
                continue;
            }
            String why = whyNotPerKey(text, groupedByKey, partitionedByKey, windowPerKey, correlated);
            if (why != null) {
                problems.add(new SourceProblem("statement " + why + ": it reads the events of more than one key, so on "
                        + shards + " shards each would answer for its own keys only; deploy it with 'shards: 1', or "
                        + "partition it by '" + key + "' (group by " + key + ", partition by " + key + ", #groupwin(" + key
                        + "), a context partitioned by " + key + ", or correlate its parts on " + key + ")",
                        item.getLineNumberContent(), 1));
            }
        }
        return problems;
    }

    /** Whether position {@code at} lies inside a parenthesised {@code (select ...)}. */
    private static boolean inSubquery(String text, int at) {
        String before = text.substring(0, at).toLowerCase(Locale.ROOT);
        int open = before.lastIndexOf("(select");
        int spaced = before.lastIndexOf("( select");
        return Math.max(open, spaced) >= 0;
    }

    private static String whyNotPerKey(String text, Pattern groupedByKey, Pattern partitionedByKey, Pattern windowPerKey,
                                       Pattern correlated) {
        Matcher batch = BATCH.matcher(text);
        if (batch.find()) {
            return "uses '#" + batch.group(1) + "', whose batches each shard would start at its own first event";
        }
        Matcher rate = OUTPUT_RATE.matcher(text);
        if (rate.find()) {
            return "limits its output rate ('" + rate.group().trim() + "'), a cycle each shard would start on its own";
        }
        boolean perKeyWindow = windowPerKey.matcher(text).find();
        Matcher arrival = ARRIVAL_WINDOW.matcher(text);
        if (arrival.find() && !perKeyWindow) {
            return "keeps '#" + arrival.group(1) + "' over all keys' events, which expires by what arrives, not by time";
        }
        boolean grouped = groupedByKey.matcher(text).find() || partitionedByKey.matcher(text).find();
        if (text.toLowerCase(Locale.ROOT).contains("match_recognize") && !partitionedByKey.matcher(text).find()) {
            return "matches rows without 'partition by' the key";
        }
        Matcher aggregate = AGGREGATE.matcher(text);
        boolean correlatedSubquery = correlated.matcher(text).find() && text.toLowerCase(Locale.ROOT).matches("(?s).*\\(\\s*select\\b.*");
        if (aggregate.find() && !grouped && !(correlatedSubquery && inSubquery(text, aggregate.start()))) {
            return "aggregates ('" + aggregate.group().trim() + "') without 'group by' the key";
        }
        Matcher combining = COMBINING.matcher(text);
        boolean combines = combining.find() || FROM_LIST.matcher(text).find();
        if (combines && !correlated.matcher(text).find() && !grouped) {
            boolean singlePattern = text.toLowerCase(Locale.ROOT).contains("pattern") && !PATTERN_COMBINATION.matcher(
                    text.substring(text.toLowerCase(Locale.ROOT).indexOf("pattern"))).find();
            if (!singlePattern) {
                return "combines events (a pattern, join, subquery or on-action) without correlating them on the key";
            }
        }
        if (text.toLowerCase(Locale.ROOT).contains("pattern") && text.matches("(?is).*\\[\\s*\\d+\\s*].*")
                && !correlated.matcher(text).find()) {
            return "repeats a pattern over events of any key";
        }
        return null;
    }
}
