package io.vigil.adapter.esper;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventType;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.module.Module;
import com.espertech.esper.common.client.module.ModuleItem;
import com.espertech.esper.common.client.soda.EPStatementObjectModel;
import com.espertech.esper.common.client.util.StatementProperty;
import com.espertech.esper.common.client.util.StatementType;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPStatement;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldDef;
import io.vigil.api.spi.OperatorCompileException;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.SourceProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The statements of a module whose rows are the operator's results: plain selects without
 * {@code insert into}. Found by deploying the module once into a throw-away runtime, which also
 * checks that each of them selects every output field with a type that fits.
 */
final class OutputStatements {
    private final Set<String> names;

    private OutputStatements(Set<String> names) {
        this.names = names;
    }

    boolean isOutput(String statementName) {
        return names.contains(statementName);
    }

    static OutputStatements probe(OperatorDefinition definition, Configuration configuration, EPCompiled schemaModule,
                                  EPCompiled userModule, Module module, String source) throws OperatorCompileException {
        EPRuntime runtime = EsperConfiguration.runtime("vigil-probe-" + UUID.randomUUID(), configuration);
        try {
            runtime.getDeploymentService().deploy(schemaModule);
            EPDeployment deployment = runtime.getDeploymentService().deploy(userModule);
            List<String> outputs = new ArrayList<>();
            List<SourceProblem> problems = new ArrayList<>();
            for (EPStatement statement : deployment.getStatements()) {
                if (!emitsRows(statement, configuration)) {
                    continue;
                }
                outputs.add(statement.getName());
                String mismatch = mismatch(statement.getEventType(), definition.output());
                if (!mismatch.isEmpty()) {
                    ModuleItem item = itemOf(statement, module);
                    problems.add(new SourceProblem("statement '" + statement.getName() + "' " + mismatch,
                            item == null ? 0 : item.getLineNumberContent(), 1));
                }
            }
            if (outputs.isEmpty()) {
                problems.add(new SourceProblem("no statement selects results: add a select without 'insert into' whose columns are "
                        + definition.output().fields(), 1, 1));
            }
            if (!problems.isEmpty()) {
                throw new OperatorCompileException(problems);
            }
            return new OutputStatements(Set.copyOf(outputs));
        } catch (com.espertech.esper.runtime.client.EPDeployException e) {
            throw new OperatorCompileException("the module compiles but does not deploy: " + e.getMessage(), 0, 0);
        } finally {
            runtime.destroy();
        }
    }

    private static boolean emitsRows(EPStatement statement, Configuration configuration) {
        if (statement.getProperty(StatementProperty.STATEMENTTYPE) != StatementType.SELECT) {
            return false;
        }
        try {
            EPStatementObjectModel model = EPCompilerProvider.getCompiler()
                    .eplToModel((String) statement.getProperty(StatementProperty.EPL), configuration);
            return model.getInsertInto() == null;
        } catch (EPCompileException e) {
            return true;
        }
    }

    private static String mismatch(EventType type, EventSchema output) {
        for (FieldDef field : output.fields()) {
            if (!type.isProperty(field.name())) {
                if (field.nullable()) {
                    continue;
                }
                return "does not select output field '" + field.name() + "' (" + field.kind() + ") of " + output.name();
            }
            Class<?> selected = boxed(type.getPropertyType(field.name()));
            if (selected != null && !fits(field, selected)) {
                return "selects '" + field.name() + "' as " + selected.getSimpleName() + ", output schema " + output.name()
                        + " declares it " + field.kind();
            }
        }
        return "";
    }

    private static boolean fits(FieldDef field, Class<?> selected) {
        return switch (field.kind()) {
            case BOOLEAN -> selected == Boolean.class;
            case INT -> selected == Integer.class || selected == Short.class || selected == Byte.class;
            case LONG, TIMESTAMP -> selected == Long.class || selected == Integer.class || selected == Short.class;
            case DOUBLE -> Number.class.isAssignableFrom(selected);
            case STRING -> CharSequence.class.isAssignableFrom(selected) || selected == Character.class;
        };
    }

    private static Class<?> boxed(Class<?> type) {
        if (type == null || !type.isPrimitive()) {
            return type;
        }
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == double.class) {
            return Double.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        if (type == float.class) {
            return Float.class;
        }
        if (type == short.class) {
            return Short.class;
        }
        if (type == byte.class) {
            return Byte.class;
        }
        return Character.class;
    }

    private static ModuleItem itemOf(EPStatement statement, Module module) {
        String epl = ((String) statement.getProperty(StatementProperty.EPL)).trim();
        for (ModuleItem item : module.getItems()) {
            if (!item.isCommentOnly() && item.getExpression().trim().equals(epl)) {
                return item;
            }
        }
        return null;
    }
}
