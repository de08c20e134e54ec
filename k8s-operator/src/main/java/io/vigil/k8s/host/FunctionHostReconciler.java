package io.vigil.k8s.host;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.vigil.k8s.customresource.FunctionHost;
import io.vigil.k8s.customresource.FunctionHostStatus;

/** A FunctionHost is its StatefulSet and its headless Service; its status, how many hosts are up. */
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
        pool.setStatus(status);
        return UpdateControl.patchStatus(pool);
    }
}
