package io.vigil.adapter.esper;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A compiled EPL module; each shard deploys it into a runtime of its own. */
final class EsperCompiledOperator implements CompiledOperator {
    private static final AtomicLong RUNTIMES = new AtomicLong();

    private final OperatorDefinition definition;
    private final Configuration configuration;
    private final EPCompiled schemaModule;
    private final EPCompiled userModule;
    private final OutputStatements outputs;
    private final long stateHorizonMillis;

    EsperCompiledOperator(OperatorDefinition definition, Configuration configuration, EPCompiled schemaModule,
                          EPCompiled userModule, OutputStatements outputs, long stateHorizonMillis) {
        this.stateHorizonMillis = stateHorizonMillis;
        this.definition = definition;
        this.configuration = configuration;
        this.schemaModule = schemaModule;
        this.userModule = userModule;
        this.outputs = outputs;
    }

    @Override
    public OperatorDefinition definition() {
        return definition;
    }

    @Override
    public long stateHorizonMillis() {
        return stateHorizonMillis;
    }

    @Override
    public OperatorInstance instantiate(ShardContext shard) throws EPDeployException {
        String uri = "vigil-" + shard.operatorName() + "-s" + shard.shard() + "-v" + shard.version() + "-" + RUNTIMES.incrementAndGet();
        EPRuntime runtime = EPRuntimeProvider.getRuntime(uri, configuration);
        try {
            runtime.getDeploymentService().deploy(schemaModule);
            EPDeployment deployment = runtime.getDeploymentService().deploy(userModule);
            EsperOperatorInstance instance = new EsperOperatorInstance(runtime, definition);
            List<EPStatement> emitting = new ArrayList<>();
            for (EPStatement statement : deployment.getStatements()) {
                if (outputs.isOutput(statement.getName())) {
                    emitting.add(statement);
                }
            }
            instance.listenTo(emitting);
            return instance;
        } catch (EPDeployException | RuntimeException e) {
            runtime.destroy();
            throw e;
        }
    }
}
