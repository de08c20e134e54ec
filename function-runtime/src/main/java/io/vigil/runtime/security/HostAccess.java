package io.vigil.runtime.security;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.api.codec.OperatorNames;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place the host's services ask whether the caller may go on: its rights under the
 * policy, its tenant's quota, and the audit log of what it changed or was refused.
 */
public final class HostAccess {
    private final AccessPolicy policy;
    private final AuditLog audit;
    private final Map<String, EventRate> rates = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> streams = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> streamsByCaller = new ConcurrentHashMap<>();
    private final long maxStreamsPerClient;

    /** @param maxStreamsPerClient data-plane streams one caller may have open at once */
    public HostAccess(AccessPolicy policy, AuditLog audit, long maxStreamsPerClient) {
        this.policy = policy;
        this.audit = audit;
        this.maxStreamsPerClient = maxStreamsPerClient;
    }

    /**
     * The current caller, when it holds {@code right} on {@code operator}.
     *
     * @throws StatusRuntimeException {@code PERMISSION_DENIED} or {@code UNAUTHENTICATED} (and audited) when it does not
     */
    public Caller require(Right right, String operator, String action) {
        Caller caller = Caller.current();
        try {
            policy.require(caller, right, operator);
        } catch (StatusRuntimeException e) {
            audit.record(caller, action, operator, e.getStatus().getCode().name(), e.getStatus().getDescription());
            throw e;
        }
        return caller;
    }

    /** Whether the current caller may read {@code operator} (List shows only those). */
    public boolean visible(String operator) {
        return allows(Caller.current(), Right.READ, operator);
    }

    /** Whether {@code caller} holds {@code right} on {@code operator}. */
    public boolean allows(Caller caller, Right right, String operator) {
        return policy.allows(caller, right, operator);
    }

    public void audit(Caller caller, String action, String operator, String outcome, String detail) {
        audit.record(caller, action, operator, outcome, detail);
    }

    public TenantQuota quotaOf(String operator) {
        return policy.quota(OperatorNames.tenantOf(operator));
    }

    /**
     * @param operators  operators the tenant of {@code operator} would have
     * @param shards     shards they would have
     * @param stateBytes bytes their latest checkpoints hold now
     * @throws StatusRuntimeException {@code RESOURCE_EXHAUSTED} naming the quota passed
     */
    public void requireWithinQuota(String operator, long operators, long shards, long stateBytes) {
        TenantQuota quota = quotaOf(operator);
        String tenant = OperatorNames.tenantOf(operator);
        if (operators > quota.operators()) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("tenant '" + tenant + "' would have " + operators + " operators; its quota"
                    + " is " + quota.operators()).asRuntimeException();
        }
        if (shards > quota.shards()) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("tenant '" + tenant + "' would have " + shards + " shards; its quota is "
                    + quota.shards()).asRuntimeException();
        }
        String state = stateRefusal(operator, stateBytes);
        if (state != null) {
            throw Status.RESOURCE_EXHAUSTED.withDescription(state).asRuntimeException();
        }
    }

    /** Why the tenant of {@code operator}, holding {@code stateBytes}, may not grow; null when it may. */
    public String stateRefusal(String operator, long stateBytes) {
        long quota = quotaOf(operator).stateBytes();
        return stateBytes <= quota ? null : "tenant '" + OperatorNames.tenantOf(operator) + "' holds " + stateBytes + " bytes of state"
                + " in its latest checkpoints; its quota is " + quota + " (undeploy an operator, or shorten what one keeps)";
    }

    /**
     * Counts a stream of {@code caller} into {@code operator} as open, against the caller's bound
     * and its tenant's quota; run the returned release once it ends.
     *
     * @return null, with the refusal in {@code refusal[0]}, when either is reached
     */
    public Runnable openStream(Caller caller, String operator, String[] refusal) {
        AtomicLong byCaller = streamsByCaller.computeIfAbsent(caller.name(), c -> new AtomicLong());
        if (byCaller.incrementAndGet() > maxStreamsPerClient) {
            byCaller.decrementAndGet();
            refusal[0] = "caller " + caller + " has " + maxStreamsPerClient + " streams open on this host, the most one caller may;"
                    + " close one first";
            return null;
        }
        String tenant = OperatorNames.tenantOf(operator);
        long quota = quotaOf(operator).streams();
        AtomicLong open = streams.computeIfAbsent(tenant, t -> new AtomicLong());
        if (open.incrementAndGet() > quota) {
            open.decrementAndGet();
            byCaller.decrementAndGet();
            refusal[0] = "tenant '" + tenant + "' has " + quota + " streams open, its quota; close one first";
            return null;
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                open.decrementAndGet();
                byCaller.decrementAndGet();
            }
        };
    }

    /** The tenant's shared event rate, or null when its events per second are not bounded. */
    public EventRate rateOf(String operator) {
        TenantQuota quota = quotaOf(operator);
        return quota.limitsRate() ? rates.computeIfAbsent(OperatorNames.tenantOf(operator), t -> new EventRate(quota.eventsPerSecond()))
                : null;
    }

    @Override
    public String toString() {
        return (policy.isOpen() ? "no access policy (every authenticated caller may do everything)" : "an access policy")
                + ", audit to " + audit;
    }
}
