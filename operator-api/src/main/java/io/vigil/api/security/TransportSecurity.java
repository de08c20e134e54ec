package io.vigil.api.security;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
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
 * client's certificate chain and private key. Serializable, so a Flink job carries it to its tasks
 * (the files must exist where the tasks run).
 */
public final class TransportSecurity implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final TransportSecurity PLAINTEXT = new TransportSecurity(null, null, null);

    private final String trustedCa;
    private final String certificateChain;
    private final String privateKey;

    private TransportSecurity(String trustedCa, String certificateChain, String privateKey) {
        this.trustedCa = trustedCa;
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
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
        return new TransportSecurity(trustedCa.toString(), certificateChain.toString(), privateKey.toString());
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
        if (ca == null && certificate == null && key == null) {
            return PLAINTEXT;
        }
        if (ca == null || certificate == null || key == null) {
            throw new IllegalArgumentException("TLS needs all three of VIGIL_TLS_CA, VIGIL_TLS_CERT and VIGIL_TLS_KEY");
        }
        return tls(Path.of(ca), Path.of(certificate), Path.of(key));
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
        if (!isTls()) {
            return InsecureChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder()
                    .trustManager(Path.of(trustedCa).toFile())
                    .keyManager(Path.of(certificateChain).toFile(), Path.of(privateKey).toFile())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TLS files " + trustedCa + ", " + certificateChain + ", " + privateKey
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return isTls() ? "TLS (trusting " + trustedCa + ", as " + certificateChain + ")" : "plaintext";
    }
}
