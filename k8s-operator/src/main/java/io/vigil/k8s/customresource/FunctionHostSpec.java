package io.vigil.k8s.customresource;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

public class FunctionHostSpec {
    @Min(1)
    @Default("1")
    private int replicas = 1;
    @Required
    private String image;
    private ResourceRequirements resources;
    /**
     * A Secret with the hosts' certificate ({@code tls.crt}), its key ({@code tls.key}, PKCS#8) and
     * the authority that signs the clients' certificates ({@code ca.crt}), as cert-manager writes
     * them: the hosts serve mutual TLS, and the operator reaches them with its own client
     * certificate. Without it the pool must say {@link #plaintext}, or its hosts refuse to start.
     */
    private String tlsSecretName;
    /** Serve without TLS: anyone who can reach the pods may call them. For a trial on a private cluster. */
    private boolean plaintext;
    /**
     * The addresses a {@code grpc} operator's source may name ({@code *} for any run of
     * characters, as {@code fraud-rules-python:50071} or {@code *.operators.svc:50071}); without
     * it only the pod itself.
     */
    private java.util.List<String> grpcAllowedTargets;
    /**
     * The port the hosts serve their Prometheus metrics on ({@code /metrics}, plaintext); the pods
     * carry the {@code prometheus.io/scrape} annotations for it. 0 turns metrics off.
     */
    @Default("9464")
    private int metricsPort = 9464;
    /**
     * The port the hosts serve their web console on (HTTPS with the pool's TLS secret, when it
     * has one); the Service gets a {@code console} port for it. 0, the default, serves none.
     */
    private int consolePort;
    private StateVolume stateVolume = new StateVolume();
    @Default("7070")
    private int port = 7070;
    /**
     * Start on a state store found damaged, keeping every checkpoint still intact and setting the
     * rest aside; without it such a host stops at start, naming the damage. Set it to recover, then unset.
     */
    private boolean discardDamagedCheckpoints;

    public boolean isDiscardDamagedCheckpoints() {
        return discardDamagedCheckpoints;
    }

    public void setDiscardDamagedCheckpoints(boolean discardDamagedCheckpoints) {
        this.discardDamagedCheckpoints = discardDamagedCheckpoints;
    }

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public int getMetricsPort() {
        return metricsPort;
    }

    public void setMetricsPort(int metricsPort) {
        this.metricsPort = metricsPort;
    }

    public int getConsolePort() {
        return consolePort;
    }

    public void setConsolePort(int consolePort) {
        this.consolePort = consolePort;
    }

    public java.util.List<String> getGrpcAllowedTargets() {
        return grpcAllowedTargets;
    }

    public void setGrpcAllowedTargets(java.util.List<String> grpcAllowedTargets) {
        this.grpcAllowedTargets = grpcAllowedTargets;
    }

    public boolean isPlaintext() {
        return plaintext;
    }

    public void setPlaintext(boolean plaintext) {
        this.plaintext = plaintext;
    }

    public String getTlsSecretName() {
        return tlsSecretName;
    }

    public void setTlsSecretName(String tlsSecretName) {
        this.tlsSecretName = tlsSecretName;
    }

    public StateVolume getStateVolume() {
        return stateVolume;
    }

    public void setStateVolume(StateVolume stateVolume) {
        this.stateVolume = stateVolume;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }
}
