package io.vigil.adapter.esper;

import io.vigil.api.spi.Durations;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.SourceProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The event-time reach of an EPL module's state, read from its statements: the longest time
 * window ({@code #time}, {@code #ext_timed}, their batch forms), {@code timer:within} or
 * {@code timer:interval}, and a named window kept by a time window bounds what reads it. State
 * kept without a time bound — count windows, {@code #keepall}, aggregates over a stream with no
 * window, patterns without {@code within}, tables and named windows — has no horizon; such a
 * module needs the spec option {@code retention} (for example {@code 24 hours}) to say how much
 * input rebuilds its state.
 */
final class StateHorizon {
    static final String RETENTION_OPTION = Durations.RETENTION_OPTION;

    private static final String DURATION = "((?:\\s*\\d+(?:\\.\\d+)?\\s*(?:milliseconds?|msec|seconds?|sec|minutes?|min|hours?|days?))+)";
    private static final Pattern TIMED = Pattern.compile(
            "#(?:time|time_batch|time_accum|firsttime)\\s*\\(" + DURATION + "\\s*[,)]"
                    + "|#(?:ext_timed|ext_timed_batch)\\s*\\([^,]+,\\s*" + DURATION + "\\s*[,)]"
                    + "|timer:(?:within|interval)\\s*\\(" + DURATION + "\\s*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAMED_WINDOW = Pattern.compile("\\bcreate\\s+window\\s+(\\w+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern FROM = Pattern.compile("\\bfrom\\s+(\\w+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern UNBOUNDED = Pattern.compile(
            "#(?:length|length_batch|keepall|firstlength|firstevent|lastevent|unique|firstunique|sort|rank)\\b"
                    + "|\\bcreate\\s+(?:window|table)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern AGGREGATE = Pattern.compile("\\b(?:count|sum|avg|min|max|median|stddev|avedev|first|last|window)\\s*\\(",
            Pattern.CASE_INSENSITIVE);

    private StateHorizon() {
    }

    static long of(String source, Map<String, String> options) throws OperatorCompileException {
        long retention = Durations.retention(options);
        if (retention > 0) {
            return retention;
        }
        long horizon = 0;
        List<SourceProblem> unbounded = new ArrayList<>();
        // Named windows kept by a time window are bounded, and so is what reads them.
        Map<String, Long> timedWindows = new java.util.HashMap<>();
        int line = 1;
        for (String statement : withoutComments(source).split(";")) {
            int statementLine = line + leadingNewlines(statement);
            line += count(statement, '\n');
            if (statement.isBlank() || statement.trim().toLowerCase().startsWith("create expression")) {
                continue;
            }
            Matcher timed = TIMED.matcher(statement);
            long statementHorizon = 0;
            while (timed.find()) {
                String duration = timed.group(1) != null ? timed.group(1) : timed.group(2) != null ? timed.group(2) : timed.group(3);
                statementHorizon = Math.max(statementHorizon, Durations.millis(duration));
            }
            Matcher named = NAMED_WINDOW.matcher(statement);
            boolean timedWindow = named.find() && statementHorizon > 0;
            if (timedWindow) {
                timedWindows.put(named.group(1), statementHorizon);
            }
            Matcher from = FROM.matcher(statement);
            while (from.find()) {
                statementHorizon = Math.max(statementHorizon, timedWindows.getOrDefault(from.group(1), 0L));
            }
            Matcher unboundedView = UNBOUNDED.matcher(statement);
            String why = null;
            if (unboundedView.find() && !timedWindow) {
                why = "keeps '" + unboundedView.group().trim() + "' state with no time bound";
            } else if (statement.contains("pattern") && statement.contains("->")
                    && !statement.contains("timer:within") && !statement.contains("timer:interval")) {
                why = "has a pattern without 'where timer:within(...)' or a 'timer:interval(...)' that ends it";
            } else if (AGGREGATE.matcher(statement).find() && statementHorizon == 0) {
                why = "aggregates over a stream with no time window";
            }
            if (why != null) {
                unbounded.add(new SourceProblem("statement " + why + ": its state has no event-time horizon, so it cannot be "
                        + "rebuilt from a bounded input log; use time windows, or set the spec option '" + RETENTION_OPTION
                        + "' (for example '24 hours') to keep that much input", statementLine, 1));
            }
            horizon = Math.max(horizon, statementHorizon);
        }
        if (!unbounded.isEmpty()) {
            throw new OperatorCompileException(unbounded);
        }
        return horizon;
    }

    private static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        for (String line : source.split("\n", -1)) {
            int comment = line.indexOf("//");
            out.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    private static int leadingNewlines(String statement) {
        int n = 0;
        for (int i = 0; i < statement.length() && Character.isWhitespace(statement.charAt(i)); i++) {
            if (statement.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static int count(String text, char c) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}
