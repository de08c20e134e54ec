package io.vigil.k8s.cepoperator;

import io.grpc.ManagedChannel;
import io.vigil.api.security.TransportSecurity;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorPool;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per host endpoint, kept for the operator's life: TLS with the operator's own
 * client certificate to a pool that serves TLS, plaintext to one that says plaintext.
 */
public final class ControlPlanes implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final TransportSecurity clientCertificate;

    /** @param clientCertificate how the operator reaches TLS pools; null when it has no certificate */
    public ControlPlanes(TransportSecurity clientCertificate) {
        this.clientCertificate = clientCertificate;
    }

    /**
     * The operator's client certificate from the environment: {@code VIGIL_TLS_CA} (the authority
     * the hosts' certificates are signed by), {@code VIGIL_TLS_CERT} and {@code VIGIL_TLS_KEY}
     * (PEM files); null when they are not set.
     */
    public static TransportSecurity clientCertificateFromEnvironment() {
        TransportSecurity security = TransportSecurity.fromEnvironment(System::getenv);
        return security.isTls() ? security : null;
    }

    /**
     * The control plane of a pool's hosts over these channels; it is not closed, the channels stay here.
     *
     * @throws IllegalStateException when the pool serves TLS and the operator has no client certificate
     */
    public OperatorPool pool(List<String> endpoints, boolean tls) {
        if (tls && clientCertificate == null) {
            throw new IllegalStateException("the pool serves TLS, and this operator has no client certificate: set VIGIL_TLS_CA,"
                    + " VIGIL_TLS_CERT and VIGIL_TLS_KEY in its Deployment");
        }
        TransportSecurity security = tls ? clientCertificate : TransportSecurity.plaintext();
        return new OperatorPool(endpoints, endpoint -> channels.computeIfAbsent(endpoint, security::channel), CALL_TIMEOUT, false);
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
