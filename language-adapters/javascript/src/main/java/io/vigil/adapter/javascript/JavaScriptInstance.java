package io.vigil.adapter.javascript;

import io.vigil.adapter.state.KeyedStateInstance;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.spi.OperatorDefinition;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * One shard's JavaScript operator: its own context (one thread uses it), the event it is
 * processing as a read-only object whose members are the input fields, and the keyed state the
 * script declared, kept by the host. Numbers the script emits become the output field's type.
 */
final class JavaScriptInstance extends KeyedStateInstance {
    private final OperatorDefinition definition;
    private final Context context;
    private final Value process;
    private final EventSchema input;
    private final EventSchema output;
    private final int keyColumn;
    private final RowObject event = new RowObject();
    private final Results results = new Results();
    private ColumnarBatch batch;
    private ColumnarBatch out;
    private int row;

    JavaScriptInstance(OperatorDefinition definition, Engine engine, Source source, boolean takesOver, long retentionMillis) {
        super(definition, takesOver, retentionMillis);
        this.definition = definition;
        this.input = definition.input();
        this.output = definition.output();
        this.keyColumn = input.indexOf(definition.keyField());
        this.context = context(engine);
        context.eval(source);
        Value bindings = context.getBindings("js");
        this.process = bindings.getMember("process");
        Value open = bindings.getMember("open");
        if (open != null && open.canExecute()) {
            open.execute(new OpenContext());
        }
    }

    /**
     * Scripts reach only the methods of the objects the host hands them, named one by one: no
     * class lookup, no I/O, no threads, and nothing inherited from {@code Object} ({@code getClass()}
     * would lead to class loaders and reflection).
     */
    static Context context(Engine engine) {
        return Context.newBuilder("js").engine(engine)
                .allowHostAccess(SCRIPT_ACCESS)
                .allowHostClassLookup(name -> false)
                .build();
    }

    private static final HostAccess SCRIPT_ACCESS = scriptAccess();

    private static HostAccess scriptAccess() {
        HostAccess.Builder access = HostAccess.newBuilder().allowIterableAccess(true).allowIteratorAccess(true)
                .allowAccessInheritance(true);
        for (Class<?> type : new Class<?>[] {OpenContext.class, Results.class, io.vigil.api.function.ValueState.class,
                io.vigil.api.function.MapState.class, java.util.Map.Entry.class, Iterable.class, java.util.Iterator.class}) {
            for (java.lang.reflect.Method method : type.getMethods()) {
                if (method.getDeclaringClass() != Object.class) {
                    access.allowAccess(method);
                }
            }
        }
        return access.build();
    }

    @Override
    public void process(ColumnarBatch in, ColumnarBatch results) {
        batch = in;
        out = results;
        for (row = 0; row < in.rowCount(); row++) {
            states.setKey(in.getObject(keyColumn, row));
            process.execute(event, this.results);
        }
        if (in.rowCount() > 0) {
            clockAt(in.timestamp(in.rowCount() - 1));
        }
    }

    @Override
    public void close() {
        super.close();
        context.close();
    }

    /** What {@code open(context)} gets: state declared by type name, and the spec's options. */
    public final class OpenContext {
        public Object valueState(String name, String type) {
            return states.valueState(name, type(type));
        }

        public Object mapState(String name, String keyType, String valueType) {
            return states.mapState(name, type(keyType), type(valueType));
        }

        public String option(String name, String fallback) {
            return definition.options().getOrDefault(name, fallback);
        }

        private Class<?> type(String name) {
            return switch (name) {
                case "String" -> String.class;
                case "Long" -> Long.class;
                case "Integer" -> Integer.class;
                case "Double" -> Double.class;
                case "Boolean" -> Boolean.class;
                default -> throw new IllegalArgumentException("state type " + name + ": use String, Long, Integer, Double or Boolean");
            };
        }
    }

    /** Where {@code results.emit(...)} writes: one row of the output schema per call. */
    public final class Results {
        public void emit(Value... values) {
            if (values.length != output.size()) {
                throw new IllegalArgumentException("a result of operator '" + definition.name() + "' has " + values.length
                        + " values; the output schema " + output + " has " + output.size() + " fields");
            }
            int result = out.addRow(batch.timestamp(row), batch.sequence(row));
            for (int c = 0; c < values.length; c++) {
                Value value = values[c];
                out.setObject(c, result, value.isNull() ? null : switch (output.field(c).kind()) {
                    case STRING -> value.asString();
                    case DOUBLE -> value.asDouble();
                    case LONG, TIMESTAMP -> value.fitsInLong() ? value.asLong() : (long) value.asDouble();
                    case INT -> value.asInt();
                    case BOOLEAN -> value.asBoolean();
                });
            }
        }
    }

    /** The event being processed: its fields as members, read in place. */
    private final class RowObject implements ProxyObject {
        @Override
        public Object getMember(String key) {
            int column = input.indexOf(key);
            return column < 0 ? null : batch.getObject(column, row);
        }

        @Override
        public Object getMemberKeys() {
            return input.fields().stream().map(f -> f.name()).toArray();
        }

        @Override
        public boolean hasMember(String key) {
            return input.indexOf(key) >= 0;
        }

        @Override
        public void putMember(String key, Value value) {
            throw new UnsupportedOperationException("an event is read-only");
        }
    }

}
