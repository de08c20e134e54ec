package io.vigil.k8s.host;

import java.time.Duration;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.vigil.k8s.customresource.FunctionHost;
import io.vigil.k8s.customresource.FunctionHostStatus;

/**
 * A FunctionHost is its StatefulSet and its headless Service; its status, how many hosts are up,
 * and how many pods a scale-in keeps until the shards they serve have moved off them.
 */
@Workflow(dependents = {
        @Dependent(type = HostStatefulSet.class),
        @Dependent(type = HostService.class)
})
@ControllerConfiguration
public class FunctionHostReconciler implements Reconciler<FunctionHost> {

    @Override
    public UpdateControl<FunctionHost> reconcile(FunctionHost pool, Context<FunctionHost> context) {
        FunctionHostStatus status = new FunctionHostStatus();
        status.setObservedGeneration(pool.getMetadata().getGeneration());
        status.setReplicas(pool.getSpec().getReplicas());
        status.setReadyReplicas(context.getSecondaryResource(StatefulSet.class)
                .map(set -> set.getStatus() == null || set.getStatus().getReadyReplicas() == null ? 0 : set.getStatus().getReadyReplicas())
                .orElse(0));
        status.setServiceName(HostService.nameOf(pool));
        int kept = PodsInUse.replicas(pool, context.getClient());
        boolean draining = kept > pool.getSpec().getReplicas();
        status.setDraining(draining ? kept - pool.getSpec().getReplicas() : null);
        pool.setStatus(status);
        // Pods kept for the shards they serve go once their operators have moved off them.
        return draining ? UpdateControl.patchStatus(pool).rescheduleAfter(Duration.ofSeconds(5)) : UpdateControl.patchStatus(pool);
    }
}
