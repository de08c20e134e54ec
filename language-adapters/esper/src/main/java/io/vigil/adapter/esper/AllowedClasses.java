package io.vigil.adapter.esper;

import com.espertech.esper.common.client.util.ClassForNameProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The classes EPL may name (in a static method call, an import, a schema): the JDK's math and
 * string helpers by default, and what the host's configuration adds ({@code allowClasses}: class
 * names, or {@code package.*}). Esper asks this for every class name it resolves; a class that is
 * not allowed is, to Esper, no class at all, and the compile reports it by name.
 */
final class AllowedClasses implements ClassForNameProvider {
    static final List<String> DEFAULT = List.of("java.lang.Math", "java.lang.StrictMath", "java.lang.String",
            "java.lang.Integer", "java.lang.Long", "java.lang.Double", "java.lang.Float", "java.lang.Short", "java.lang.Byte",
            "java.lang.Boolean", "java.lang.Character", "java.lang.Number", "java.lang.Object", "java.math.*");

    private final List<String> classes = new ArrayList<>();
    private final List<String> packages = new ArrayList<>();
    private final List<String> esperOwn = new ArrayList<>();
    private final ClassLoader loader;
    // Names asked for that exist but are not allowed: what a failed compile then names.
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    AllowedClasses(List<String> allowed, ClassLoader loader) {
        this.loader = loader;
        for (String entry : allowed) {
            String name = entry.trim();
            if (name.endsWith(".*")) {
                packages.add(name.substring(0, name.length() - 1));
            } else if (!name.isEmpty()) {
                classes.add(name);
            }
        }
    }

    /** These too, for Esper's own use: classes the host's configuration of Esper names. */
    AllowedClasses and(Class<?>... internal) {
        for (Class<?> type : internal) {
            esperOwn.add(type.getName());
        }
        return this;
    }

    boolean allows(String name) {
        String outer = name.indexOf('$') < 0 ? name : name.substring(0, name.indexOf('$'));
        if (classes.contains(outer) || esperOwn.contains(name)) {
            return true;
        }
        for (String prefix : packages) {
            if (outer.startsWith(prefix) && outer.indexOf('.', prefix.length()) < 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Class<?> classForName(String name) throws ClassNotFoundException {
        if (allows(name) || name.startsWith("[") || isPrimitive(name)) {
            return Class.forName(name, true, loader);
        }
        try {
            Class.forName(name, false, loader);
            refused.add(name);
        } catch (ClassNotFoundException | LinkageError notAClass) {
            // Not a class at all: Esper goes on to read the name as something else.
        }
        throw new ClassNotFoundException(name + " is not a class EPL may use on this host");
    }

    /** The existing classes a compile asked for and was refused, and forgets them. */
    List<String> takeRefused() {
        List<String> names = List.copyOf(refused);
        refused.clear();
        return names;
    }

    String describe() {
        List<String> all = new ArrayList<>(classes);
        packages.forEach(prefix -> all.add(prefix + "*"));
        return String.join(", ", all);
    }

    private static boolean isPrimitive(String name) {
        return switch (name) {
            case "int", "long", "double", "float", "short", "byte", "boolean", "char", "void" -> true;
            default -> false;
        };
    }
}
