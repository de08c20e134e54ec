package io.vigil.runtime.security;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.api.codec.OperatorNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Who may do what to which tenant's operators, and each tenant's quota, read from a YAML file:
 *
 * <pre>
 * tenants:
 *   acme:
 *     quota: {operators: 4, shards: 8, streams: 16, eventsPerSecond: 50000, stateBytes: 1073741824}
 * grants:
 *   - to: [alice, "group:fraud-team"]   # a certificate's CN or a token's sub; "group:" a certificate's O or a token's groups
 *     tenant: acme                      # "*": every tenant
 *     rights: [read, stream, deploy]
 *     operators: ["fraud-*"]            # optional: only these names within the tenant
 * </pre>
 *
 * Nothing is allowed that no grant gives. A host without a policy file lets every caller it
 * authenticated do everything ({@link #openToAll()}).
 */
public final class AccessPolicy {
    private final List<Grant> grants;
    private final Map<String, TenantQuota> quotas;
    private final boolean open;

    private AccessPolicy(List<Grant> grants, Map<String, TenantQuota> quotas, boolean open) {
        this.grants = grants;
        this.quotas = quotas;
        this.open = open;
    }

    public static AccessPolicy openToAll() {
        return new AccessPolicy(List.of(), Map.of(), true);
    }

    /** @throws IllegalArgumentException naming the file and the entry that is wrong */
    public static AccessPolicy load(Path file) throws IOException {
        Object document;
        try {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not YAML: " + e.getMessage(), e);
        }
        try {
            return parse(document);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static AccessPolicy parse(Object document) {
        Map<?, ?> root = map(document, "the policy");
        for (Object key : root.keySet()) {
            if (!"tenants".equals(key) && !"grants".equals(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' (tenants, grants)");
            }
        }
        Map<String, TenantQuota> quotas = new HashMap<>();
        if (root.get("tenants") != null) {
            for (Map.Entry<?, ?> tenant : map(root.get("tenants"), "tenants").entrySet()) {
                String path = "tenants." + tenant.getKey();
                Map<?, ?> entry = tenant.getValue() == null ? Map.of() : map(tenant.getValue(), path);
                Map<?, ?> quota = entry.get("quota") == null ? Map.of() : map(entry.get("quota"), path + ".quota");
                for (Object key : quota.keySet()) {
                    if (!List.of("operators", "shards", "streams", "eventsPerSecond", "stateBytes").contains(key)) {
                        throw new IllegalArgumentException(path + ".quota: unknown key '" + key
                                + "' (operators, shards, streams, eventsPerSecond, stateBytes)");
                    }
                }
                quotas.put(String.valueOf(tenant.getKey()), new TenantQuota(
                        bound(quota, "operators", path), bound(quota, "shards", path), bound(quota, "streams", path),
                        bound(quota, "eventsPerSecond", path), bound(quota, "stateBytes", path)));
            }
        }
        List<Grant> grants = new ArrayList<>();
        Object grantList = root.get("grants");
        if (grantList != null) {
            if (!(grantList instanceof List<?> list)) {
                throw new IllegalArgumentException("grants must be a list");
            }
            for (int i = 0; i < list.size(); i++) {
                grants.add(grant(map(list.get(i), "grants[" + i + "]"), "grants[" + i + "]"));
            }
        }
        return new AccessPolicy(List.copyOf(grants), Map.copyOf(quotas), false);
    }

    /**
     * @throws StatusRuntimeException {@code UNAUTHENTICATED} for an anonymous caller under a policy,
     *                                {@code PERMISSION_DENIED} naming the missing right otherwise
     */
    public void require(Caller caller, Right right, String operator) {
        if (allows(caller, right, operator)) {
            return;
        }
        if (caller.isAnonymous()) {
            throw Status.UNAUTHENTICATED.withDescription("no identity: this host has an access policy; present a client certificate"
                    + " or a bearer token").asRuntimeException();
        }
        throw Status.PERMISSION_DENIED.withDescription(caller + " lacks the right '" + right.word() + "' on operator '" + operator
                + "' of tenant '" + OperatorNames.tenantOf(operator) + "'" + held(caller)).asRuntimeException();
    }

    public boolean allows(Caller caller, Right right, String operator) {
        if (open) {
            return true;
        }
        for (Grant grant : grants) {
            if (grant.rights.contains(right) && grant.appliesTo(caller) && grant.covers(operator)) {
                return true;
            }
        }
        return false;
    }

    public TenantQuota quota(String tenant) {
        return quotas.getOrDefault(tenant, TenantQuota.UNBOUNDED);
    }

    /** Every caller with {@code name} may do everything: the host's own identity, for the other hosts of its pool. */
    public AccessPolicy withPeer(String name) {
        if (open || name == null) {
            return this;
        }
        List<Grant> withPeer = new ArrayList<>(grants);
        withPeer.add(new Grant(Set.of(name), "*", EnumSet.allOf(Right.class), null));
        return new AccessPolicy(List.copyOf(withPeer), quotas, false);
    }

    public boolean isOpen() {
        return open;
    }

    private String held(Caller caller) {
        String held = grants.stream().filter(grant -> grant.appliesTo(caller))
                .map(grant -> grant.rights.stream().map(Right::word).collect(Collectors.joining(", ")) + " on tenant '" + grant.tenant
                        + "'" + (grant.operators == null ? "" : " operators " + grant.operatorGlobs))
                .collect(Collectors.joining("; "));
        return held.isEmpty() ? " (the policy grants it nothing)" : " (it holds: " + held + ")";
    }

    private static Grant grant(Map<?, ?> entry, String path) {
        for (Object key : entry.keySet()) {
            if (!List.of("to", "tenant", "rights", "operators").contains(key)) {
                throw new IllegalArgumentException(path + ": unknown key '" + key + "' (to, tenant, rights, operators)");
            }
        }
        Set<String> to = new LinkedHashSet<>(strings(entry.get("to"), path + ".to"));
        if (to.isEmpty()) {
            throw new IllegalArgumentException(path + ".to names no one");
        }
        Object tenant = entry.get("tenant");
        if (!(tenant instanceof String tenantName) || tenantName.isBlank()) {
            throw new IllegalArgumentException(path + ".tenant must name a tenant, or '*' for every tenant");
        }
        EnumSet<Right> rights = EnumSet.noneOf(Right.class);
        for (String right : strings(entry.get("rights"), path + ".rights")) {
            try {
                rights.add(Right.valueOf(right.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ".rights: unknown right '" + right + "' (read, stream, deploy)");
            }
        }
        if (rights.isEmpty()) {
            throw new IllegalArgumentException(path + ".rights grants nothing");
        }
        List<String> operators = entry.get("operators") == null ? null : strings(entry.get("operators"), path + ".operators");
        return new Grant(to, tenantName, rights, operators);
    }

    private static long bound(Map<?, ?> quota, String key, String path) {
        Object value = quota.get(key);
        if (value == null) {
            return Long.MAX_VALUE;
        }
        if (!(value instanceof Number number) || number.longValue() < 0) {
            throw new IllegalArgumentException(path + ".quota." + key + " must be a whole number, 0 or more, not '" + value + "'");
        }
        return number.longValue();
    }

    private static Map<?, ?> map(Object value, String path) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(path + " must be a mapping");
        }
        return map;
    }

    private static List<String> strings(Object value, String path) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(path + " must be a list");
        }
        List<String> strings = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String text) || text.isBlank()) {
                throw new IllegalArgumentException(path + " must hold names, not '" + item + "'");
            }
            strings.add(text);
        }
        return strings;
    }

    private static final class Grant {
        final Set<String> to;
        final String tenant;
        final Set<Right> rights;
        final List<String> operatorGlobs;
        final List<Pattern> operators;

        Grant(Set<String> to, String tenant, Set<Right> rights, List<String> operatorGlobs) {
            this.to = to;
            this.tenant = tenant;
            this.rights = rights;
            this.operatorGlobs = operatorGlobs;
            this.operators = operatorGlobs == null ? null
                    : io.vigil.api.security.NamePatterns.of(operatorGlobs);
        }

        boolean appliesTo(Caller caller) {
            if (caller.isAnonymous()) {
                return false;
            }
            if (to.contains(caller.name())) {
                return true;
            }
            for (String group : caller.groups()) {
                if (to.contains("group:" + group)) {
                    return true;
                }
            }
            return false;
        }

        boolean covers(String operator) {
            if (!tenant.equals("*") && !tenant.equals(OperatorNames.tenantOf(operator))) {
                return false;
            }
            if (operators == null) {
                return true;
            }
            String local = OperatorNames.localName(operator);
            return operators.stream().anyMatch(pattern -> pattern.matcher(local).matches());
        }
    }
}
