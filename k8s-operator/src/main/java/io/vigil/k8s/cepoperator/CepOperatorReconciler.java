package io.vigil.k8s.cepoperator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.grpc.Status;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.codec.SwapReports;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.SwapReport;
import io.vigil.k8s.customresource.CepOperator;
import io.vigil.k8s.customresource.CepOperatorStatus;
import io.vigil.k8s.customresource.FunctionHost;
import io.vigil.k8s.customresource.LastSwap;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.vigil.k8s.cepoperator.OperatorConditions.COMPILED;
import static io.vigil.k8s.cepoperator.OperatorConditions.READY;
import static io.vigil.k8s.cepoperator.OperatorConditions.SWAPPING;

/**
 * A CepOperator runs on a host of its pool at the spec's version: deployed when it is new, hot
 * swapped in place when its spec changes (no pod restarts), undeployed when it is deleted. A spec
 * that does not compile leaves the running version serving and says why in {@code Compiled}.
 */
@ControllerConfiguration
public class CepOperatorReconciler implements Reconciler<CepOperator>, Cleaner<CepOperator> {
    private static final Logger LOG = LoggerFactory.getLogger(CepOperatorReconciler.class);
    private static final Duration RETRY = Duration.ofSeconds(10);

    private final HostEndpoints endpoints;
    private final ControlPlanes controlPlanes;

    public CepOperatorReconciler(HostEndpoints endpoints, ControlPlanes controlPlanes) {
        this.endpoints = endpoints;
        this.controlPlanes = controlPlanes;
    }

    /**
     * A change to a ConfigMap holding sources or artefacts reconciles the operators that read from it; a change
     * to a pool (created at last, resized), the operators that run on it.
     */
    @Override
    public List<EventSource<?, CepOperator>> prepareEventSources(EventSourceContext<CepOperator> context) {
        var sources = InformerEventSourceConfiguration.from(ConfigMap.class, CepOperator.class)
                .withSecondaryToPrimaryMapper((ConfigMap configMap) -> operators(context, configMap.getMetadata().getNamespace(),
                        operator -> DesiredOperator.readsFrom(operator, configMap.getMetadata().getName())))
                .build();
        var pools = InformerEventSourceConfiguration.from(FunctionHost.class, CepOperator.class)
                .withSecondaryToPrimaryMapper((FunctionHost pool) -> operators(context, pool.getMetadata().getNamespace(),
                        operator -> pool.getMetadata().getName().equals(operator.getSpec().getHostPool())))
                .build();
        return List.of(new InformerEventSource<>(sources, context), new InformerEventSource<>(pools, context));
    }

    private static Set<ResourceID> operators(EventSourceContext<CepOperator> context, String namespace,
                                             java.util.function.Predicate<CepOperator> which) {
        return context.getPrimaryCache().list(namespace).filter(which).map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<CepOperator> reconcile(CepOperator resource, Context<CepOperator> context) {
        CepOperatorStatus status = resource.getStatus() == null ? new CepOperatorStatus() : resource.getStatus();
        resource.setStatus(status);
        long generation = resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        String name = resource.getMetadata().getName();

        FunctionHost pool = pool(resource, context);
        if (pool == null) {
            OperatorConditions.set(status, generation, READY, false, "PoolNotFound",
                    "FunctionHost " + resource.getSpec().getHostPool() + " does not exist in namespace " + resource.getMetadata().getNamespace());
            return UpdateControl.patchStatus(resource).rescheduleAfter(RETRY);
        }
        String endpoint = endpoints.endpoint(pool, name);
        status.setEndpoint(endpoint);

        OperatorSpec desired;
        try {
            desired = DesiredOperator.of(resource, context.getClient());
        } catch (IllegalArgumentException e) {
            OperatorConditions.set(status, generation, COMPILED, false, "InvalidSpec", e.getMessage());
            return UpdateControl.patchStatus(resource);
        }

        ControlPlaneClient control = controlPlanes.at(endpoint);
        OperatorStatus running = null;
        boolean hostAnswered = false;
        try {
            running = describe(control, name);
            hostAnswered = true;
            if (running == null) {
                OperatorStatus deployed = control.deploy(desired);
                status.setActiveVersion(deployed.getVersion());
                OperatorConditions.set(status, generation, COMPILED, true, "Compiled", "version " + deployed.getVersion() + " compiled");
                OperatorConditions.set(status, generation, SWAPPING, false, "Deployed", "version " + deployed.getVersion() + " deployed");
            } else if (!DesiredOperator.runs(running.getSpec(), desired)) {
                swap(resource, context, control, desired, running, generation);
            } else {
                status.setActiveVersion(running.getVersion());
            }
            OperatorConditions.set(status, generation, READY, true, "Running", "version " + status.getActiveVersion() + " serves at " + endpoint);
            return UpdateControl.patchStatus(resource);
        } catch (OperatorRejectedException e) {
            if (e.code() == Status.Code.INVALID_ARGUMENT || e.code() == Status.Code.FAILED_PRECONDITION) {
                OperatorConditions.set(status, generation, COMPILED, false, "CompileError", e.getMessage());
                OperatorConditions.set(status, generation, SWAPPING, false, "Refused",
                        running == null ? "nothing deployed" : "version " + running.getVersion() + " keeps serving");
                OperatorConditions.set(status, generation, READY, running != null, running != null ? "Running" : "NotDeployed",
                        running != null ? "version " + running.getVersion() + " serves at " + endpoint : "the spec was refused");
                return UpdateControl.patchStatus(resource);
            }
            // An unavailable answer from a host that answered Describe is about the operator: what it
            // needs (its own process, for a remote operator) is out of reach for now.
            boolean operatorUnavailable = hostAnswered && e.code() == Status.Code.UNAVAILABLE;
            OperatorConditions.set(status, generation, READY, running != null, operatorUnavailable ? "OperatorUnavailable" : "HostUnavailable",
                    (operatorUnavailable ? "" : "host " + endpoint + ": ") + e.getMessage());
            return UpdateControl.patchStatus(resource).rescheduleAfter(RETRY);
        }
    }

    private void swap(CepOperator resource, Context<CepOperator> context, ControlPlaneClient control, OperatorSpec desired,
                      OperatorStatus running, long generation) {
        CepOperatorStatus status = resource.getStatus();
        OperatorConditions.set(status, generation, SWAPPING, true, "Swapping",
                "version " + running.getVersion() + " to " + (running.getVersion() + 1));
        try {
            context.getClient().resource(resource).patchStatus();
        } catch (RuntimeException e) {
            LOG.debug("Could not report the swap of {} as under way", resource.getMetadata().getName(), e);
        }
        long start = System.nanoTime();
        OperatorStatus updated = control.update(desired);
        long millis = (System.nanoTime() - start) / 1_000_000;
        long pause = updated.getShardsList().stream().mapToLong(shard -> shard.getLastSwap().getPauseMicros()).max().orElse(0);
        status.setActiveVersion(updated.getVersion());
        status.setLastSwapMillis(millis);
        status.setLastSwap(updated.getShardsCount() == 0 ? null : lastSwap(updated.getShards(0).getLastSwap(), pause));
        OperatorConditions.set(status, generation, COMPILED, true, "Compiled", "version " + updated.getVersion() + " compiled");
        OperatorConditions.set(status, generation, SWAPPING, false, "Swapped", String.format(Locale.ROOT,
                "version %d active %d ms after the update, pause at the switch at most %.2f ms", updated.getVersion(), millis, pause / 1000.0));
    }

    @Override
    public DeleteControl cleanup(CepOperator resource, Context<CepOperator> context) {
        FunctionHost pool = pool(resource, context);
        if (pool == null) {
            return DeleteControl.defaultDelete();
        }
        try {
            controlPlanes.at(endpoints.endpoint(pool, resource.getMetadata().getName())).undeploy(resource.getMetadata().getName());
        } catch (OperatorRejectedException e) {
            if (e.code() != Status.Code.NOT_FOUND) {
                LOG.warn("Undeploying {} failed, retrying: {}", resource.getMetadata().getName(), e.getMessage());
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY);
            }
        }
        return DeleteControl.defaultDelete();
    }

    private static LastSwap lastSwap(SwapReport report, long maxPauseMicros) {
        LastSwap swap = new LastSwap();
        swap.setVersion(report.getVersion());
        swap.setStateCarried(report.getStateCarried());
        swap.setReplayed(report.getReplayed());
        swap.setTakenOver(SwapReports.amount(report.getTakenOver()));
        swap.setBatchesReplayed(report.getBatchesReplayedAhead() + report.getBatchesReplayedAtSwitch());
        swap.setMaxPauseMicros(maxPauseMicros);
        swap.setSummary(SwapReports.describe(report));
        return swap;
    }

    private static FunctionHost pool(CepOperator resource, Context<CepOperator> context) {
        return context.getClient().resources(FunctionHost.class).inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getSpec().getHostPool()).get();
    }

    private static OperatorStatus describe(ControlPlaneClient control, String name) {
        try {
            return control.describe(name);
        } catch (OperatorRejectedException e) {
            if (e.code() == Status.Code.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

}
