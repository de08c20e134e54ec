package io.vigil.api.codec;

/**
 * An operator's name: {@code name}, or {@code tenant/name} for an operator of a tenant, each part a
 * Kubernetes resource name (lower-case letters, digits and '-', at most 63 characters). An
 * operator without a tenant part belongs to the tenant {@value #DEFAULT_TENANT}.
 */
public final class OperatorNames {
    public static final String DEFAULT_TENANT = "default";
    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

    private OperatorNames() {
    }

    /** The tenant {@code name} belongs to. */
    public static String tenantOf(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? DEFAULT_TENANT : name.substring(0, slash);
    }

    /** The name within its tenant. */
    public static String localName(String name) {
        return name.substring(name.indexOf('/') + 1);
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code name} */
    static void check(String name) {
        int slash = name.indexOf('/');
        String tenant = slash < 0 ? null : name.substring(0, slash);
        String local = name.substring(slash + 1);
        for (String part : tenant == null ? new String[] {local} : new String[] {tenant, local}) {
            if (part.length() > SpecLimits.NAME_CHARACTERS) {
                throw new IllegalArgumentException("operator name '" + SpecLimits.shown(name) + "' has a part of " + part.length()
                        + " characters; at most " + SpecLimits.NAME_CHARACTERS + " each in 'tenant/name'");
            }
            if (!part.matches(LABEL)) {
                throw new IllegalArgumentException("operator name '" + SpecLimits.shown(name) + "' must be 'name' or 'tenant/name',"
                        + " each lower-case letters, digits and '-' (as a Kubernetes resource name)");
            }
        }
        if (DEFAULT_TENANT.equals(tenant)) {
            throw new IllegalArgumentException("operator name '" + name + "': an operator without a tenant belongs to tenant '"
                    + DEFAULT_TENANT + "'; name it '" + local + "'");
        }
    }
}
