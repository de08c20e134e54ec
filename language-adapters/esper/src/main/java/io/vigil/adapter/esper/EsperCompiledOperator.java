package io.vigil.adapter.esper;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPStatement;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.api.spi.OperatorInstance;
import io.vigil.api.spi.ShardContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** A compiled EPL module, in one or more parts; each shard deploys each part into a runtime of its own. */
final class EsperCompiledOperator implements CompiledOperator {
    private static final AtomicLong RUNTIMES = new AtomicLong();

    private final OperatorDefinition definition;
    private final Configuration configuration;
    private final EPCompiled schemaModule;
    private final List<CompiledPart> parts;
    private final long stateHorizonMillis;

    EsperCompiledOperator(OperatorDefinition definition, Configuration configuration, EPCompiled schemaModule,
                          List<CompiledPart> parts, long stateHorizonMillis) {
        this.definition = definition;
        this.configuration = configuration;
        this.schemaModule = schemaModule;
        this.parts = List.copyOf(parts);
        this.stateHorizonMillis = stateHorizonMillis;
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
        return instantiate(shard, Set.of());
    }

    /** Deploys only the parts {@code previous} does not run already; the others it hands over at the switch. */
    @Override
    public OperatorInstance instantiateReplacing(ShardContext shard, OperatorInstance previous) throws EPDeployException {
        return instantiate(shard, previous instanceof EsperOperatorInstance esper ? esper.partKeys() : Set.of());
    }

    private OperatorInstance instantiate(ShardContext shard, Set<String> runningAlready) throws EPDeployException {
        List<EsperOperatorInstance.Part> deployed = new ArrayList<>();
        try {
            for (CompiledPart part : parts) {
                deployed.add(runningAlready.contains(part.key()) ? new EsperOperatorInstance.Part(part.key(), part.horizonMillis())
                        : deploy(part, shard));
            }
            return new EsperOperatorInstance(definition, deployed, stateHorizonMillis);
        } catch (EPDeployException | RuntimeException e) {
            deployed.forEach(EsperOperatorInstance.Part::destroy);
            throw e;
        }
    }

    private EsperOperatorInstance.Part deploy(CompiledPart part, ShardContext shard) throws EPDeployException {
        String uri = "vigil-" + shard.operatorName() + "-s" + shard.shard() + "-v" + shard.version() + "-" + RUNTIMES.incrementAndGet();
        EPRuntime runtime = EsperConfiguration.runtime(uri, configuration);
        try {
            runtime.getDeploymentService().deploy(schemaModule);
            EPDeployment deployment = runtime.getDeploymentService().deploy(part.module());
            List<EPStatement> emitting = new ArrayList<>();
            for (EPStatement statement : deployment.getStatements()) {
                if (part.outputs().isOutput(statement.getName())) {
                    emitting.add(statement);
                }
            }
            return new EsperOperatorInstance.Part(part.key(), part.horizonMillis(), runtime, definition.input().name(), emitting);
        } catch (EPDeployException | RuntimeException e) {
            runtime.destroy();
            throw e;
        }
    }
}
