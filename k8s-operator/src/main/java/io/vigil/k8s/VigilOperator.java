package io.vigil.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.vigil.k8s.cepoperator.CepOperatorReconciler;
import io.vigil.k8s.cepoperator.ControlPlanes;
import io.vigil.k8s.cepoperator.HostEndpoints;
import io.vigil.k8s.host.FunctionHostReconciler;
import io.vigil.api.security.TransportSecurity;

/** The Kubernetes operator: FunctionHost pools and the CepOperators running on them. */
public final class VigilOperator implements AutoCloseable {
    private final Operator operator;
    private final ControlPlanes controlPlanes;

    /** @param endpoints how to reach a pool's hosts: {@link HostEndpoints#clusterDns()} inside the cluster */
    public VigilOperator(KubernetesClient client, HostEndpoints endpoints) {
        this(client, endpoints, ControlPlanes.clientCertificateFromEnvironment());
    }

    /** @param clientCertificate how the operator reaches pools that serve TLS; null when it has no certificate */
    public VigilOperator(KubernetesClient client, HostEndpoints endpoints, TransportSecurity clientCertificate) {
        this.controlPlanes = new ControlPlanes(clientCertificate);
        // Server-side apply stays off: the same code then runs against API servers without it.
        operator = new Operator(o -> o.withKubernetesClient(client)
                .withCloseClientOnStop(false)
                .withUseSSAToPatchPrimaryResource(false)
                .withSSABasedCreateUpdateMatchForDependentResources(false));
        operator.register(new FunctionHostReconciler());
        operator.register(new CepOperatorReconciler(endpoints, controlPlanes));
    }

    public VigilOperator start() {
        operator.start();
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        operator.stop();
        controlPlanes.close();
    }

    public static void main(String[] args) throws Exception {
        KubernetesClient client = new KubernetesClientBuilder().build();
        VigilOperator operator = new VigilOperator(client, HostEndpoints.clusterDns()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                operator.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                client.close();
            }
        }, "vigil-operator-shutdown"));
        Thread.currentThread().join();
    }
}
