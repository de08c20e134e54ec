package io.vigil.runtime.operator;

import io.vigil.api.placement.Placements;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.Placement;
import io.vigil.api.spi.CompiledOperator;
import io.vigil.api.spi.OperatorDefinition;
import io.vigil.runtime.shard.RecentEntries;
import io.vigil.runtime.shard.Shard;
import io.vigil.api.proto.VersionSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An operator running on this host: the spec of its active version, where its shards run, the
 * shards this host serves, and the sources of the versions it has run here.
 */
public final class DeployedOperator {
    private final RecentEntries<VersionSource> versions = new RecentEntries<>(16);
    private final Shard[] byIndex;
    private final List<Shard> shards;
    private final Placement placement;
    private final String host;
    private volatile OperatorSpec spec;
    private volatile OperatorDefinition definition;
    private volatile long version;
    private volatile CompiledOperator compiled;

    /** @param byIndex one entry per shard of the operator, null where another host serves the shard */
    DeployedOperator(OperatorSpec spec, OperatorDefinition definition, long version, CompiledOperator compiled, Shard[] byIndex,
                     Placement placement, String host) {
        this.spec = spec;
        this.definition = definition;
        this.version = version;
        this.compiled = compiled;
        this.byIndex = byIndex.clone();
        this.placement = placement;
        this.host = host;
        List<Shard> local = new ArrayList<>();
        for (Shard shard : byIndex) {
            if (shard != null) {
                local.add(shard);
            }
        }
        this.shards = List.copyOf(local);
        remember(spec, version);
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

    /** The shards this host serves. */
    public List<Shard> shards() {
        return shards;
    }

    /** How many shards the operator has, on every host of its placement. */
    public int shardCount() {
        return byIndex.length;
    }

    /** The shard with this index if this host serves it, else null. */
    public Shard shard(int index) {
        return byIndex[index];
    }

    public Placement placement() {
        return placement;
    }

    /** This host's name in the placement. */
    public String host() {
        return host;
    }

    /** The host that serves {@code shard}, as the placement names it. */
    public String hostOf(int shard) {
        return Placements.hostOf(placement, shard);
    }

    /** The active version, compiled. */
    CompiledOperator compiled() {
        return compiled;
    }

    void activate(OperatorSpec newSpec, OperatorDefinition newDefinition, long newVersion, CompiledOperator newCompiled) {
        spec = newSpec;
        definition = newDefinition;
        version = newVersion;
        compiled = newCompiled;
        remember(newSpec, newVersion);
    }

    /** The versions this host has run, newest first (at most 16). */
    public List<VersionSource> versions() {
        return versions.newestFirst();
    }

    private void remember(OperatorSpec versionSpec, long versionNumber) {
        VersionSource.Builder source = VersionSource.newBuilder().setVersion(versionNumber)
                .setDeployedAtMillis(System.currentTimeMillis()).setLanguage(versionSpec.getLanguage())
                .setSource(versionSpec.getSource());
        if (!versionSpec.getArtifact().isEmpty()) {
            try {
                source.setArtifactBytes(versionSpec.getArtifact().size()).setArtifactSha256(HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(versionSpec.getArtifact().toByteArray())));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
        versions.add(source.build());
    }
}
