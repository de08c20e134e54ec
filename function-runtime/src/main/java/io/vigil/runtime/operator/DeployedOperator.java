package io.vigil.runtime.operator;

import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.runtime.shard.Shard;
import java.util.List;

/** An operator running on this host: the spec of its active version and its shards. */
public final class DeployedOperator {
    private final List<Shard> shards;
    private volatile OperatorSpec spec;
    private volatile OperatorDefinition definition;
    private volatile long version;

    DeployedOperator(OperatorSpec spec, OperatorDefinition definition, long version, List<Shard> shards) {
        this.spec = spec;
        this.definition = definition;
        this.version = version;
        this.shards = List.copyOf(shards);
    }

    public String name() {
        return definition.name();
    }

    public OperatorSpec spec() {
        return spec;
    }

    public OperatorDefinition definition() {
        return definition;
    }

    public long version() {
        return version;
    }

    public List<Shard> shards() {
        return shards;
    }

    public Shard shard(int index) {
        return shards.get(index);
    }

    void activate(OperatorSpec newSpec, OperatorDefinition newDefinition, long newVersion) {
        spec = newSpec;
        definition = newDefinition;
        version = newVersion;
    }
}
