package io.vigil.runtime.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks signed JWTs against a configured key set (a JWK Set file): the signature by one of its
 * keys (RSA, EC or HMAC; never {@code alg: none}), {@code exp} and {@code nbf} with a minute's
 * skew, and {@code iss} and {@code aud} when configured. The caller is the {@code sub} claim, its
 * groups the {@code groups} claim.
 */
public final class BearerTokens {
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String description;

    /**
     * @param keys     a JWK Set (JSON) holding the keys tokens may be signed with
     * @param issuer   the {@code iss} every token must carry, or null for any
     * @param audience the {@code aud} every token must include, or null for any
     * @throws IOException naming the file when it cannot be read or holds no key set
     */
    public BearerTokens(Path keys, String issuer, String audience) throws IOException {
        JWKSet keySet;
        try {
            keySet = JWKSet.load(keys.toFile());
        } catch (ParseException e) {
            throw new IOException(keys + " is not a JWK Set: " + e.getMessage(), e);
        }
        if (keySet.getKeys().isEmpty()) {
            throw new IOException(keys + " holds no keys");
        }
        Set<JWSAlgorithm> algorithms = new HashSet<>();
        algorithms.addAll(JWSAlgorithm.Family.RSA);
        algorithms.addAll(JWSAlgorithm.Family.EC);
        algorithms.addAll(JWSAlgorithm.Family.HMAC_SHA);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, new ImmutableJWKSet<>(keySet)));
        JWTClaimsSet exact = issuer == null ? new JWTClaimsSet.Builder().build() : new JWTClaimsSet.Builder().issuer(issuer).build();
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience, exact, Set.of("sub", "exp")));
        this.description = keySet.getKeys().size() + " key(s) from " + keys + (issuer == null ? "" : ", issuer " + issuer)
                + (audience == null ? "" : ", audience " + audience);
    }

    /** @throws TokenRefused saying what is wrong with the token */
    public Caller verify(String token) throws TokenRefused {
        try {
            JWTClaimsSet claims = processor.process(token, null);
            List<String> groups = claims.getStringListClaim("groups");
            return new Caller(claims.getSubject(), groups == null ? List.of() : List.copyOf(groups), "bearer token");
        } catch (ParseException e) {
            throw new TokenRefused("not a signed JWT: " + e.getMessage());
        } catch (BadJOSEException | JOSEException e) {
            throw new TokenRefused(e.getMessage());
        }
    }

    @Override
    public String toString() {
        return description;
    }

    /** A token that does not prove who sent it. */
    public static final class TokenRefused extends Exception {
        private static final long serialVersionUID = 1L;

        TokenRefused(String message) {
            super(message, null, false, false);
        }
    }
}
