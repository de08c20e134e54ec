package io.vigil.runtime.shard;

import io.vigil.api.spi.OperatorInstance;

/**
 * The version a shard runs and the instance running it. Replaced only on the shard's thread (a
 * switch, a restore); read from other threads by an update preparing the instance that replaces it.
 */
final class ActiveVersion {
    private volatile ShardVersion version;
    private volatile OperatorInstance instance;

    ActiveVersion(ShardVersion version, OperatorInstance instance) {
        this.version = version;
        this.instance = instance;
    }

    ShardVersion version() {
        return version;
    }

    long number() {
        return version.version();
    }

    OperatorInstance instance() {
        return instance;
    }

    /** Makes {@code next} the running instance of {@code nextVersion}; returns the instance it replaces. */
    OperatorInstance replace(OperatorInstance next, ShardVersion nextVersion) {
        OperatorInstance previous = instance;
        instance = next;
        version = nextVersion;
        return previous;
    }
}
