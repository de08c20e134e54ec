package io.vigil.api.spi;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads compiled classes (from their class files' constant pools) and finds the calls an
 * operator may not make. {@link #SANDBOX}, for code generated from an operator's source (Esper's
 * from EPL): anything that reaches outside the operator's rows, such as reflection, class loading,
 * processes, files, the network, threads, and stopping the JVM; a chain of calls on values
 * ({@code cardId.getClass().getClassLoader()}) shows there as a call like any other.
 * {@link #STOPPING_THE_HOST}, for trusted code (a signed Java operator): only what would stop the
 * host's JVM.
 */
public final class ForbiddenCalls {
    /** Everything beyond the operator's own rows. */
    public static final ForbiddenCalls SANDBOX = new ForbiddenCalls(false);
    /** {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt}. */
    public static final ForbiddenCalls STOPPING_THE_HOST = new ForbiddenCalls(true);

    private static final List<String> FORBIDDEN_OWNERS = List.of("java/lang/Runtime", "java/lang/ProcessBuilder",
            "java/lang/Process", "java/lang/ProcessHandle", "java/lang/ClassLoader", "java/lang/reflect/", "java/lang/invoke/",
            "java/lang/Thread", "java/lang/ThreadGroup", "java/lang/Module", "java/lang/ModuleLayer", "java/lang/SecurityManager",
            "java/lang/Shutdown", "java/io/File", "java/io/RandomAccessFile", "java/io/ObjectInputStream", "java/nio/file/",
            "java/nio/channels/", "java/net/", "java/rmi/", "java/sql/", "javax/script/", "javax/naming/", "java/util/ServiceLoader",
            "sun/", "jdk/", "com/sun/", "java/lang/Class.");
    private static final Set<String> CLASS_METHODS_ALLOWED = Set.of("getName", "getSimpleName", "isInstance", "cast",
            "isAssignableFrom", "isArray", "isPrimitive", "getComponentType", "desiredAssertionStatus");
    private static final Set<String> SYSTEM_METHODS_ALLOWED = Set.of("arraycopy", "currentTimeMillis", "nanoTime",
            "identityHashCode", "lineSeparator");

    private final boolean onlyStopping;

    private ForbiddenCalls(boolean onlyStopping) {
        this.onlyStopping = onlyStopping;
    }

    /**
     * Each forbidden call in {@code classes} (class files), as {@code owner.method}, owner with dots.
     *
     * @throws IllegalArgumentException when one is not a class file
     */
    public List<String> in(Iterable<byte[]> classes) {
        List<String> found = new ArrayList<>();
        for (byte[] bytes : classes) {
            for (String[] call : methodReferences(bytes)) {
                if (forbidden(call[0], call[1])) {
                    String shown = call[0].replace('/', '.') + "." + call[1];
                    if (!found.contains(shown)) {
                        found.add(shown);
                    }
                }
            }
        }
        return found;
    }

    boolean forbidden(String owner, String method) {
        if (onlyStopping) {
            return owner.equals("java/lang/System") && method.equals("exit")
                    || owner.equals("java/lang/Runtime") && (method.equals("exit") || method.equals("halt"));
        }
        if (owner.equals("java/lang/Class")) {
            return !CLASS_METHODS_ALLOWED.contains(method);
        }
        if (owner.equals("java/lang/System")) {
            return !SYSTEM_METHODS_ALLOWED.contains(method);
        }
        for (String prefix : FORBIDDEN_OWNERS) {
            if (prefix.endsWith("/") ? owner.startsWith(prefix) : owner.equals(prefix) || owner.startsWith(prefix + "$")) {
                return true;
            }
        }
        return false;
    }

    /** The {owner, name} of every method a class file's constant pool refers to. */
    static List<String[]> methodReferences(byte[] classFile) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] first = new int[count];
            int[] second = new int[count];
            int[] tags = new int[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                tags[i] = tag;
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> first[i] = in.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> {
                        first[i] = in.readUnsignedShort();
                        second[i] = in.readUnsignedShort();
                    }
                    case 15 -> {
                        in.readUnsignedByte();
                        first[i] = in.readUnsignedShort();
                    }
                    default -> throw new IllegalArgumentException("unknown constant pool tag " + tag);
                }
            }
            List<String[]> references = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                if (tags[i] == 10 || tags[i] == 11) {
                    String owner = utf8[first[first[i]]];
                    String name = utf8[first[second[i]]];
                    references.add(new String[] {owner, name});
                }
            }
            return references;
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable class file: " + e.getMessage(), e);
        }
    }
}
