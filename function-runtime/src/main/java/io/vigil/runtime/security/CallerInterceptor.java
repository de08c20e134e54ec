package io.vigil.runtime.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.vigil.api.security.TransportSecurity;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Learns who makes each call, once, as the call starts: a bearer token in the {@code authorization}
 * header when there is one, else the client certificate of the TLS session, else anonymous. A
 * token that does not verify, or an anonymous caller where the host takes none, ends the call with
 * {@code UNAUTHENTICATED} before any service sees it.
 */
public final class CallerInterceptor implements ServerInterceptor {

    private final BearerTokens tokens;
    private final boolean anonymousAllowed;

    /**
     * @param tokens           how to check bearer tokens, or null when the host takes none
     * @param anonymousAllowed whether a caller that shows no identity may go on (a plaintext host without a policy)
     */
    public CallerInterceptor(BearerTokens tokens, boolean anonymousAllowed) {
        this.tokens = tokens;
        this.anonymousAllowed = anonymousAllowed;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Caller caller;
        try {
            caller = recognize(headers.get(TransportSecurity.AUTHORIZATION), call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        } catch (Unrecognized e) {
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return Contexts.interceptCall(Context.current().withValue(Caller.CURRENT, caller), call, headers, next);
    }

    /**
     * The caller an {@code authorization} header (or null) and a TLS session (or null) name, by the
     * same rules for gRPC and for the web console.
     *
     * @throws Unrecognized saying why, when the token does not verify or an anonymous caller is not taken
     */
    public Caller recognize(String authorization, SSLSession session) throws Unrecognized {
        Caller caller;
        if (authorization != null) {
            if (tokens == null) {
                throw new Unrecognized("this host takes no bearer tokens (it was started without --token-keys); use a client certificate");
            }
            if (!authorization.startsWith(TransportSecurity.BEARER)) {
                throw new Unrecognized("the authorization header must be 'Bearer <token>'");
            }
            try {
                caller = tokens.verify(authorization.substring(TransportSecurity.BEARER.length()).trim());
            } catch (BearerTokens.TokenRefused e) {
                throw new Unrecognized("bearer token refused: " + e.getMessage());
            }
        } else {
            caller = fromCertificate(session);
        }
        if (caller.isAnonymous() && !anonymousAllowed) {
            throw new Unrecognized("no identity: present a client certificate or a bearer token");
        }
        return caller;
    }

    /** Why a caller was not taken: the text of its {@code UNAUTHENTICATED}. */
    public static final class Unrecognized extends Exception {
        Unrecognized(String message) {
            super(message, null, false, false);
        }
    }

    /** The subject's CN as the name and its O values as groups; anonymous without a verified certificate. */
    static Caller fromCertificate(SSLSession session) {
        if (session == null) {
            return Caller.ANONYMOUS;
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Caller.ANONYMOUS;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
            return Caller.ANONYMOUS;
        }
        return fromSubject(certificate.getSubjectX500Principal().getName());
    }

    /** The caller a certificate subject (RFC 2253) names. */
    public static Caller fromSubject(String subject) {
        String name = null;
        List<String> groups = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    name = rdn.getValue().toString();
                } else if (rdn.getType().equalsIgnoreCase("O")) {
                    groups.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return Caller.ANONYMOUS;
        }
        return name == null ? Caller.ANONYMOUS : new Caller(name, List.copyOf(groups), "client certificate");
    }
}
