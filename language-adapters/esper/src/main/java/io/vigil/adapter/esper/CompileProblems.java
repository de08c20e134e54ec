package io.vigil.adapter.esper;

import com.espertech.esper.common.client.module.Module;
import com.espertech.esper.common.client.module.ModuleItem;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompileExceptionItem;
import io.vigil.api.spi.SourceProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Esper's compile errors into problems with a line and column in the module source. Esper
 * reports the line a statement starts on, and for syntax errors a position inside the statement;
 * for validation errors it quotes the offending expression, which is then found in the statement.
 */
final class CompileProblems {
    private static final Pattern POSITION = Pattern.compile("at line (\\d+) column (\\d+)");
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
    private static final Pattern TRAILING_EPL = Pattern.compile("\\s*\\[[^\\[]*]\\s*$", Pattern.DOTALL);

    private CompileProblems() {
    }

    static List<SourceProblem> fromParse(Exception e, String source) {
        String message = clean(e.getMessage());
        Matcher position = POSITION.matcher(message);
        if (position.find()) {
            int line = Integer.parseInt(position.group(1));
            return List.of(new SourceProblem(message, line, Integer.parseInt(position.group(2)) + 1));
        }
        return List.of(new SourceProblem(message, 0, 0));
    }

    static List<SourceProblem> fromCompile(EPCompileException e, Module module, String source) {
        List<SourceProblem> problems = new ArrayList<>();
        List<EPCompileExceptionItem> items = e.getItems();
        if (items == null || items.isEmpty()) {
            problems.add(locate(clean(e.getMessage()), null, source));
            return problems;
        }
        for (EPCompileExceptionItem item : items) {
            problems.add(locate(clean(item.getMessage()), statementAt(module, item.getLineNumber()), source));
        }
        return problems;
    }

    private static SourceProblem locate(String message, ModuleItem statement, String source) {
        if (statement == null) {
            return new SourceProblem(message, 0, 0);
        }
        int start = statementStart(statement, source);
        String text = statement.getExpression();
        Matcher position = POSITION.matcher(message);
        if (position.find()) {
            int offset = offsetOf(text, Integer.parseInt(position.group(1)), Integer.parseInt(position.group(2)));
            return at(message, source, start + offset);
        }
        Matcher quoted = QUOTED.matcher(message);
        while (quoted.find()) {
            int offset = text.indexOf(quoted.group(1));
            if (offset >= 0) {
                return at(message, source, start + offset);
            }
        }
        return at(message, source, start);
    }

    /** A problem at the first place {@code source} holds one of {@code names} as a word; at the start when none. */
    static SourceProblem atFirst(String message, String source, List<String> names) {
        int best = -1;
        for (String name : names) {
            Matcher word = Pattern.compile("(?<![\\w$])" + Pattern.quote(name) + "(?![\\w$])").matcher(source);
            if (word.find() && (best < 0 || word.start() < best)) {
                best = word.start();
            }
        }
        return at(message, source, Math.max(0, best));
    }

    private static SourceProblem at(String message, String source, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new SourceProblem(message, line, offset - lineStart + 1);
    }

    private static ModuleItem statementAt(Module module, int line) {
        ModuleItem best = null;
        for (ModuleItem item : module.getItems()) {
            if (item.isCommentOnly()) {
                continue;
            }
            if (item.getLineNumber() == line || item.getLineNumberContent() == line) {
                return item;
            }
            if (item.getLineNumber() <= line) {
                best = item;
            }
        }
        return best;
    }

    private static int statementStart(ModuleItem statement, String source) {
        int from = statement.getCharPosStart() >= 0 && statement.getCharPosStart() <= source.length() ? statement.getCharPosStart() : 0;
        int found = source.indexOf(statement.getExpression(), from);
        if (found < 0) {
            found = source.indexOf(statement.getExpression());
        }
        return Math.max(found, 0);
    }

    /** Offset in {@code text} of a 1-based line and 0-based column. */
    private static int offsetOf(String text, int line, int column) {
        int offset = 0;
        for (int l = 1; l < line && offset < text.length(); offset++) {
            if (text.charAt(offset) == '\n') {
                l++;
            }
        }
        return Math.min(offset + column, text.length());
    }

    // Esper appends the whole statement in brackets; the position says where it is already.
    private static String clean(String message) {
        if (message == null) {
            return "compilation failed";
        }
        return TRAILING_EPL.matcher(message).replaceFirst("").trim();
    }
}
