package io.vigil.k8s.host;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.vigil.k8s.customresource.FunctionHost;
import io.vigil.k8s.customresource.FunctionHostSpec;
import io.vigil.k8s.customresource.StateVolume;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool's hosts: one pod per host with a stable name ({@code <pool>-<i>}), so each keeps its
 * operators and its state volume across restarts; the store path is passed to the host.
 */
public class HostStatefulSet extends CRUDKubernetesDependentResource<StatefulSet, FunctionHost> {
    public static final String STATE_DIRECTORY = "/var/lib/vigil/state";
    public static final String TLS_DIRECTORY = "/etc/vigil/tls";
    static final String STATE_VOLUME = "state";
    static final String TLS_VOLUME = "tls";

    public HostStatefulSet() {
        super(StatefulSet.class);
    }

    /** Kubernetes' gRPC probes cannot speak TLS: a TLS pool answers them on a plaintext port of health alone, the next one. */
    static int healthPort(FunctionHostSpec spec) {
        return spec.getTlsSecretName() != null ? spec.getPort() + 1 : spec.getPort();
    }

    /** Where Prometheus' Kubernetes discovery finds the hosts' metrics. */
    static java.util.Map<String, String> scrapeAnnotations(FunctionHostSpec spec) {
        return spec.getMetricsPort() <= 0 ? java.util.Map.of() : java.util.Map.of("prometheus.io/scrape", "true",
                "prometheus.io/port", String.valueOf(spec.getMetricsPort()), "prometheus.io/path", "/metrics");
    }

    private static List<String> arguments(FunctionHostSpec spec) {
        List<String> arguments = new ArrayList<>(List.of("--port", String.valueOf(spec.getPort()), "--state-dir", STATE_DIRECTORY));
        if (spec.isDiscardDamagedCheckpoints()) {
            arguments.add("--discard-damaged-checkpoints");
        }
        if (spec.getMetricsPort() > 0) {
            arguments.addAll(List.of("--metrics-port", String.valueOf(spec.getMetricsPort())));
        }
        if (spec.getConsolePort() > 0) {
            arguments.addAll(List.of("--console-port", String.valueOf(spec.getConsolePort())));
        }
        if (spec.getGrpcAllowedTargets() != null && !spec.getGrpcAllowedTargets().isEmpty()) {
            arguments.addAll(List.of("--grpc-allow-targets", String.join(",", spec.getGrpcAllowedTargets())));
        }
        if (spec.getTlsSecretName() != null) {
            arguments.addAll(List.of("--tls-cert", TLS_DIRECTORY + "/tls.crt", "--tls-key", TLS_DIRECTORY + "/tls.key",
                    "--tls-client-ca", TLS_DIRECTORY + "/ca.crt", "--health-port", String.valueOf(healthPort(spec))));
        } else {
            // Beyond loopback without TLS the host refuses to start unless the pool says plaintext.
            arguments.addAll(List.of("--bind", "0.0.0.0"));
            if (spec.isPlaintext()) {
                arguments.add("--plaintext");
            }
        }
        return arguments;
    }

    @Override
    protected StatefulSet desired(FunctionHost pool, Context<FunctionHost> context) {
        FunctionHostSpec spec = pool.getSpec();
        StateVolume state = spec.getStateVolume() == null ? new StateVolume() : spec.getStateVolume();
        ContainerBuilder host = new ContainerBuilder()
                .withName("host")
                .withImage(spec.getImage())
                .withArgs(arguments(spec))
                .addNewPort().withName("grpc").withContainerPort(spec.getPort()).endPort()
                .withResources(spec.getResources())
                .addNewVolumeMount().withName(STATE_VOLUME).withMountPath(STATE_DIRECTORY).endVolumeMount()
                // The host serves the standard gRPC health service: NOT_SERVING once it drains.
                .withNewReadinessProbe().withNewGrpc().withPort(healthPort(spec)).endGrpc()
                .withPeriodSeconds(5).endReadinessProbe()
                .withNewLivenessProbe().withNewGrpc().withPort(healthPort(spec)).endGrpc()
                .withInitialDelaySeconds(10).withPeriodSeconds(10).withFailureThreshold(3).endLivenessProbe();
        PodSpecBuilder pod = new PodSpecBuilder();
        if (spec.getTlsSecretName() != null) {
            host.addNewVolumeMount().withName(TLS_VOLUME).withMountPath(TLS_DIRECTORY).withReadOnly(true).endVolumeMount();
            pod.addToVolumes(new VolumeBuilder().withName(TLS_VOLUME).withNewSecret().withSecretName(spec.getTlsSecretName())
                    .endSecret().build());
        }
        if (state.getHostPath() != null) {
            pod.addToVolumes(new VolumeBuilder().withName(STATE_VOLUME).withNewHostPath().withPath(state.getHostPath())
                    .withType("DirectoryOrCreate").endHostPath().build());
        }
        if (spec.getMetricsPort() > 0) {
            host.addNewPort().withName("metrics").withContainerPort(spec.getMetricsPort()).endPort();
        }
        if (spec.getConsolePort() > 0) {
            host.addNewPort().withName("console").withContainerPort(spec.getConsolePort()).endPort();
        }
        pod.withContainers(host.build());
        StatefulSetBuilder statefulSet = new StatefulSetBuilder()
                .withNewMetadata()
                .withName(pool.getMetadata().getName())
                .withNamespace(pool.getMetadata().getNamespace())
                .withLabels(HostLabels.of(pool))
                .endMetadata()
                .withNewSpec()
                .withReplicas(PodsInUse.replicas(pool, context.getClient()))
                .withServiceName(HostService.nameOf(pool))
                .withPodManagementPolicy("Parallel")
                .withNewSelector().withMatchLabels(HostLabels.of(pool)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(HostLabels.of(pool)).withAnnotations(scrapeAnnotations(spec)).endMetadata()
                .withSpec(pod.build())
                .endTemplate()
                .endSpec();
        if (state.getHostPath() == null) {
            statefulSet.editSpec().withVolumeClaimTemplates(List.of(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(STATE_VOLUME).withLabels(HostLabels.of(pool)).endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(state.getStorageClassName())
                    .withNewResources().addToRequests("storage", new Quantity(state.getSize())).endResources()
                    .endSpec()
                    .build())).endSpec();
        }
        return statefulSet.build();
    }
}
