package io.vigil.adapter.esper;

import com.espertech.esper.common.client.module.Module;
import com.espertech.esper.common.client.module.ModuleItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Splits a module into parts that hold no state in common, each deployed into a runtime of its own,
 * so an update can keep the parts it does not change running as they are. Only a module of
 * independent selects qualifies — besides them it may declare expressions, which every part gets;
 * anything that links statements (insert into, named windows, tables, variables, contexts) keeps
 * the module in one part.
 */
final class StatementGroups {
    private static final Pattern LEADING_ANNOTATIONS = Pattern.compile("^(\\s*@\\w+(\\s*\\([^)]*\\))?)*\\s*");
    static final Pattern COMMENTS = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

    private StatementGroups() {
    }

    static List<Module> of(Module module) {
        List<ModuleItem> declarations = new ArrayList<>();
        List<ModuleItem> statements = new ArrayList<>();
        for (ModuleItem item : module.getItems()) {
            if (item.isCommentOnly()) {
                continue;
            }
            String text = body(item.getExpression());
            if (text.startsWith("create expression")) {
                declarations.add(item);
            } else if (text.startsWith("select") && !text.contains("insert")) {
                statements.add(item);
            } else {
                return List.of(module);
            }
        }
        if (statements.size() < 2) {
            return List.of(module);
        }
        List<Module> groups = new ArrayList<>();
        for (ModuleItem statement : statements) {
            Module group = new Module();
            group.setUses(module.getUses());
            group.setImports(module.getImports());
            List<ModuleItem> items = new ArrayList<>(declarations);
            items.add(statement);
            group.setItems(items);
            groups.add(group);
        }
        return groups;
    }

    /** The module's EPL as one text, for fingerprints and the state horizon. */
    static String text(Module group) {
        StringBuilder text = new StringBuilder();
        for (ModuleItem item : group.getItems()) {
            text.append(item.getExpression()).append(";\n");
        }
        return text.toString();
    }

    private static String body(String expression) {
        String withoutComments = COMMENTS.matcher(expression).replaceAll(" ");
        return LEADING_ANNOTATIONS.matcher(withoutComments).replaceFirst("").toLowerCase(Locale.ROOT);
    }
}
