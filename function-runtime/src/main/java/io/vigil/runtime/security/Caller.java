package io.vigil.runtime.security;

import io.grpc.Context;
import java.util.List;

/**
 * Who is calling: a name and the groups it belongs to, and how the host learnt them (a client
 * certificate's subject CN and O, as Kubernetes reads them; or a bearer token's {@code sub} and
 * {@code groups} claims). A caller that showed neither is anonymous.
 */
public record Caller(String name, List<String> groups, String authenticatedBy) {
    public static final Caller ANONYMOUS = new Caller("anonymous", List.of(), "nothing");
    /** The host itself, for what it does on its own (a redeploy from its store at a restart). */
    public static final Caller HOST = new Caller("host", List.of(), "itself");

    static final Context.Key<Caller> CURRENT = Context.key("vigil-caller");

    /** The caller of the gRPC call this thread serves; the host itself outside any call. */
    public static Caller current() {
        Caller caller = CURRENT.get();
        return caller == null ? HOST : caller;
    }

    /** Runs {@code action} as a call {@code caller} made: what the services check rights against (the web console's calls). */
    public static void actingAs(Caller caller, Runnable action) {
        Context.current().withValue(CURRENT, caller).run(action);
    }

    public boolean isAnonymous() {
        return this == ANONYMOUS;
    }

    @Override
    public String toString() {
        return "'" + name + "' (by " + authenticatedBy + ")";
    }
}
