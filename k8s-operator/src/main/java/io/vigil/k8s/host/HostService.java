package io.vigil.k8s.host;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.vigil.k8s.customresource.FunctionHost;

/** The headless Service that gives each host of the pool a DNS name of its own. */
public class HostService extends CRUDKubernetesDependentResource<Service, FunctionHost> {
    public HostService() {
        super(Service.class);
    }

    public static String nameOf(FunctionHost pool) {
        return pool.getMetadata().getName();
    }

    @Override
    protected Service desired(FunctionHost pool, Context<FunctionHost> context) {
        ServiceBuilder service = new ServiceBuilder()
                .withNewMetadata()
                .withName(nameOf(pool))
                .withNamespace(pool.getMetadata().getNamespace())
                .withLabels(HostLabels.of(pool))
                .endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(HostLabels.of(pool))
                .addNewPort().withName("grpc").withPort(pool.getSpec().getPort()).withNewTargetPort("grpc").endPort()
                .endSpec();
        if (pool.getSpec().getMetricsPort() > 0) {
            // For a ServiceMonitor (deploy/samples/service-monitor.yaml) to select.
            service.editSpec().addNewPort().withName("metrics").withPort(pool.getSpec().getMetricsPort())
                    .withNewTargetPort("metrics").endPort().endSpec();
        }
        if (pool.getSpec().getConsolePort() > 0) {
            service.editSpec().addNewPort().withName("console").withPort(pool.getSpec().getConsolePort())
                    .withNewTargetPort("console").endPort().endSpec();
        }
        return service.build();
    }
}
