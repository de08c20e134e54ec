package io.vigil.adapter.state;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Set;

/** The types state may hold, and how each is written into a checkpoint. */
final class StateValues {
    static final Set<Class<?>> TYPES = Set.of(String.class, Long.class, Integer.class, Double.class, Boolean.class);

    private StateValues() {
    }

    static void check(Class<?> type, String state) {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("state '" + state + "' holds " + type.getName()
                    + "; state may hold String, Long, Integer, Double or Boolean");
        }
    }

    /** {@code value} as {@code type}: numbers of any kind convert to the number type the state declares. */
    static Object as(Class<?> type, Object value, String state) {
        if (value == null || type.isInstance(value)) {
            return value;
        }
        if (value instanceof Number number) {
            if (type == Long.class) {
                return number.longValue();
            }
            if (type == Integer.class) {
                return number.intValue();
            }
            if (type == Double.class) {
                return number.doubleValue();
            }
        }
        throw new IllegalArgumentException("state '" + state + "' holds " + type.getSimpleName() + ", not " + value.getClass().getSimpleName());
    }

    static void write(DataOutputStream out, Object value) throws IOException {
        if (value == null) {
            out.writeByte('N');
        } else if (value instanceof String s) {
            out.writeByte('S');
            out.writeUTF(s);
        } else if (value instanceof Long l) {
            out.writeByte('J');
            out.writeLong(l);
        } else if (value instanceof Integer i) {
            out.writeByte('I');
            out.writeInt(i);
        } else if (value instanceof Double d) {
            out.writeByte('D');
            out.writeDouble(d);
        } else if (value instanceof Boolean b) {
            out.writeByte('Z');
            out.writeBoolean(b);
        } else {
            throw new IOException("state holds a " + value.getClass().getName() + ", which it cannot write");
        }
    }

    static Object read(DataInputStream in) throws IOException {
        int tag = in.readByte();
        return switch (tag) {
            case 'N' -> null;
            case 'S' -> in.readUTF();
            case 'J' -> in.readLong();
            case 'I' -> in.readInt();
            case 'D' -> in.readDouble();
            case 'Z' -> in.readBoolean();
            default -> throw new IOException("unknown state value tag " + tag);
        };
    }
}
