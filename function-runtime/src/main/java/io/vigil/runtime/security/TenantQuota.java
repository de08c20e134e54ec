package io.vigil.runtime.security;

/**
 * What one tenant's operators may use of a host at most; {@link Long#MAX_VALUE} for no bound.
 *
 * @param operators       operators deployed
 * @param shards          shards over all its operators (each is a thread on the hosts that run it)
 * @param streams         data-plane streams open at once
 * @param eventsPerSecond events its streams may send, over all of them; a stream past it is slowed (its next batch is read later), never refused
 * @param stateBytes      bytes its shards' latest checkpoints hold in the store; past it, deploys and new streams are refused
 */
public record TenantQuota(long operators, long shards, long streams, long eventsPerSecond, long stateBytes) {
    public static final TenantQuota UNBOUNDED = new TenantQuota(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
            Long.MAX_VALUE);

    public boolean limitsRate() {
        return eventsPerSecond != Long.MAX_VALUE;
    }
}
