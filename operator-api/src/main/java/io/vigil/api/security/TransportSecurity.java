package io.vigil.api.security;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a client reaches a Vigil host: plaintext, or TLS with its own certificate (the hosts
 * require one). PEM files: the certificate authority that signed the hosts' certificates, and the
 * client's certificate chain and private key. A client may also send a bearer token (a signed
 * JWT, read from a file before each call, so a renewed token is used at once) with each call; on a
 * host that takes tokens it identifies the caller. Serializable, so a Flink job carries it to its
 * tasks (the files must exist where the tasks run).
 */
public final class TransportSecurity implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final TransportSecurity PLAINTEXT = new TransportSecurity(null, null, null, null);
    /** The header a bearer token travels in, as {@link #BEARER} and the token. */
    public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final String BEARER = "Bearer ";

    private final String trustedCa;
    private final String certificateChain;
    private final String privateKey;
    private final String bearerTokenFile;

    private TransportSecurity(String trustedCa, String certificateChain, String privateKey, String bearerTokenFile) {
        this.trustedCa = trustedCa;
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
        this.bearerTokenFile = bearerTokenFile;
    }

    public static TransportSecurity plaintext() {
        return PLAINTEXT;
    }

    /**
     * @param trustedCa        PEM: the authority whose certificates the client trusts a host's to be signed by
     * @param certificateChain PEM: the client's certificate (and intermediates), presented to the host
     * @param privateKey       PEM (PKCS#8): the client certificate's key
     * @throws IllegalArgumentException naming a file that is not there
     */
    public static TransportSecurity tls(Path trustedCa, Path certificateChain, Path privateKey) {
        requireReadable(trustedCa, certificateChain, privateKey);
        return new TransportSecurity(trustedCa.toString(), certificateChain.toString(), privateKey.toString(), null);
    }

    /** TLS without a client certificate: for a host that takes bearer tokens instead ({@link #withBearerToken}). */
    public static TransportSecurity tls(Path trustedCa) {
        requireReadable(trustedCa);
        return new TransportSecurity(trustedCa.toString(), null, null, null);
    }

    /**
     * The same, sending the token in {@code tokenFile} (a signed JWT) as {@code authorization: Bearer}
     * with every call. The file is read before each call.
     */
    public TransportSecurity withBearerToken(Path tokenFile) {
        if (!Files.isReadable(tokenFile)) {
            throw new IllegalArgumentException("cannot read " + tokenFile + " (a bearer token)");
        }
        return new TransportSecurity(trustedCa, certificateChain, privateKey, tokenFile.toString());
    }

    /**
     * From the environment: TLS when {@code VIGIL_TLS_CA} (the authority the hosts' certificates are
     * signed by), {@code VIGIL_TLS_CERT} and {@code VIGIL_TLS_KEY} (the client's certificate and
     * key) name PEM files, plaintext when none is set.
     *
     * @param environment the variables, as {@link System#getenv(String)} gives them
     * @throws IllegalArgumentException when only some are set, or a file cannot be read
     */
    public static TransportSecurity fromEnvironment(java.util.function.UnaryOperator<String> environment) {
        String ca = environment.apply("VIGIL_TLS_CA");
        String certificate = environment.apply("VIGIL_TLS_CERT");
        String key = environment.apply("VIGIL_TLS_KEY");
        String token = environment.apply("VIGIL_TOKEN_FILE");
        TransportSecurity security;
        if (ca == null && certificate == null && key == null) {
            security = PLAINTEXT;
        } else if (ca != null && certificate == null && key == null && token != null) {
            security = tls(Path.of(ca));
        } else if (ca == null || certificate == null || key == null) {
            throw new IllegalArgumentException("TLS needs all three of VIGIL_TLS_CA, VIGIL_TLS_CERT and VIGIL_TLS_KEY"
                    + " (or VIGIL_TLS_CA with VIGIL_TOKEN_FILE)");
        } else {
            security = tls(Path.of(ca), Path.of(certificate), Path.of(key));
        }
        return token == null ? security : security.withBearerToken(Path.of(token));
    }

    /** @throws IllegalArgumentException naming the first of {@code files} (TLS certificates and keys) that cannot be read */
    public static void requireReadable(Path... files) {
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file + " (a TLS certificate or key, PEM)");
            }
        }
    }

    public boolean isTls() {
        return trustedCa != null;
    }

    /** A channel to {@code target} (host:port, or any gRPC target), secured as this says. */
    public ManagedChannel channel(String target, int maxInboundMessageBytes) {
        return Grpc.newChannelBuilder(target, credentials()).maxInboundMessageSize(maxInboundMessageBytes).build();
    }

    public ManagedChannel channel(String target) {
        return channel(target, 64 << 20);
    }

    private ChannelCredentials credentials() {
        ChannelCredentials transport = transportCredentials();
        return bearerTokenFile == null ? transport : CompositeChannelCredentials.create(transport, new BearerToken(Path.of(bearerTokenFile)));
    }

    private ChannelCredentials transportCredentials() {
        if (!isTls()) {
            return InsecureChannelCredentials.create();
        }
        try {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(Path.of(trustedCa).toFile());
            if (certificateChain != null) {
                tls.keyManager(Path.of(certificateChain).toFile(), Path.of(privateKey).toFile());
            }
            return tls.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TLS files " + trustedCa + ", " + certificateChain + ", " + privateKey
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return (isTls() ? "TLS (trusting " + trustedCa + (certificateChain == null ? "" : ", as " + certificateChain) + ")" : "plaintext")
                + (bearerTokenFile == null ? "" : " with the bearer token in " + bearerTokenFile);
    }

    /** {@code authorization: Bearer <the file's contents>} on every call. */
    private static final class BearerToken extends CallCredentials {
        private final Path file;

        BearerToken(Path file) {
            this.file = file;
        }

        @Override
        public void applyRequestMetadata(RequestInfo request, java.util.concurrent.Executor executor, MetadataApplier applier) {
            executor.execute(() -> {
                try {
                    Metadata headers = new Metadata();
                    headers.put(AUTHORIZATION, BEARER + Files.readString(file).trim());
                    applier.apply(headers);
                } catch (IOException e) {
                    applier.fail(Status.UNAUTHENTICATED.withDescription("cannot read the bearer token " + file + ": " + e.getMessage()));
                }
            });
        }
    }
}
