package io.vigil.runtime.security;

/** What a caller may do to the operators of a tenant. */
public enum Right {
    /** List and Describe the operators, with their sources. */
    READ,
    /** Open data-plane streams into the operators (and read their checkpoints, as a restore does). */
    STREAM,
    /** Deploy, Update, Rescale and Undeploy the operators. */
    DEPLOY;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
