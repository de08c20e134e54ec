package io.vigil.k8s.cepoperator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import io.vigil.api.client.OperatorPool;
import io.vigil.api.codec.SpecProtos;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.placement.Placements;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.k8s.customresource.OperatorPlacement;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.codec.SwapReports;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.SwapReport;
import io.vigil.api.proto.ShardStatus;
import io.vigil.k8s.autoscaling.ShardAutoscaler;
import io.vigil.k8s.customresource.Autoscaling;
import io.vigil.k8s.customresource.AutoscalingStatus;
import io.vigil.k8s.customresource.CepOperator;
import java.time.Instant;
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
import static io.vigil.k8s.cepoperator.OperatorConditions.PLACED;
import static io.vigil.k8s.cepoperator.OperatorConditions.READY;
import static io.vigil.k8s.cepoperator.OperatorConditions.SWAPPING;

/**
 * A CepOperator runs on its pool at the spec's version, its shards spread over the pool's pods:
 * deployed when it is new, hot swapped in place when its spec changes (no pod restarts), rescaled
 * (live, while a job feeds it) when its shard count, its autoscaling's choice or the pool's pods
 * change, undeployed when it is deleted. A spec that does not compile leaves the running version
 * serving and says why in {@code Compiled}; a rescale the hosts refuse says why in {@code Placed}.
 */
@ControllerConfiguration
public class CepOperatorReconciler implements Reconciler<CepOperator>, Cleaner<CepOperator> {
    private static final Logger LOG = LoggerFactory.getLogger(CepOperatorReconciler.class);
    private static final Duration RETRY = Duration.ofSeconds(10);
    /** With autoscaling, how often the hosts' measurements are read. */
    private static final Duration MEASURE = Duration.ofSeconds(5);
    /** After a status write another write overtook: soon, from the newer version. */
    private static final Duration OVERTAKEN = Duration.ofMillis(200);

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

    /**
     * Writes the status only when the reconcile changed it, and as a whole, at the version read: a
     * write that another one overtook (409) is dropped and the next reconcile, from the newer
     * version, writes it again. (A JSON patch computed against the version read, applied to a
     * newer one, can address list entries that are not there.)
     */
    @Override
    public UpdateControl<CepOperator> reconcile(CepOperator resource, Context<CepOperator> context) {
        var json = context.getClient().getKubernetesSerialization();
        String before = json.asJson(resource.getStatus());
        UpdateControl<CepOperator> control = reconcileStatus(resource, context);
        UpdateControl<CepOperator> next = UpdateControl.noUpdate();
        if (!json.asJson(resource.getStatus()).equals(before)) {
            try {
                context.getClient().resource(resource).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                return next.rescheduleAfter(OVERTAKEN);
            }
        }
        return control.getScheduleDelay().map(next::rescheduleAfter).orElse(next);
    }

    private UpdateControl<CepOperator> reconcileStatus(CepOperator resource, Context<CepOperator> context) {
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
        List<String> pods = endpoints.endpoints(pool);

        OperatorSpec desired;
        try {
            desired = DesiredOperator.of(resource, context.getClient());
        } catch (IllegalArgumentException e) {
            OperatorConditions.set(status, generation, COMPILED, false, "InvalidSpec", e.getMessage());
            return UpdateControl.patchStatus(resource);
        }

        OperatorPool control;
        try {
            control = controlPlanes.pool(pods, pool.getSpec().getTlsSecretName() != null);
        } catch (IllegalStateException e) {
            OperatorConditions.set(status, generation, READY, false, "NoClientCertificate", e.getMessage());
            return UpdateControl.patchStatus(resource).rescheduleAfter(RETRY);
        }
        OperatorStatus running = null;
        boolean hostAnswered = false;
        try {
            running = describe(control, name);
            hostAnswered = true;
            String waiting = null;
            var autoscaling = resource.getSpec().getAutoscaling();
            if (autoscaling != null) {
                desired = desired.toBuilder().setShards(running == null
                        ? ShardAutoscaler.initial(autoscaling, SpecProtos.shards(desired)) : autoscale(status, generation, autoscaling, running))
                        .build();
            } else {
                status.setAutoscaling(null);
                status.getConditions().removeIf(condition -> condition.getType().equals(OperatorConditions.AUTOSCALED));
            }
            if (running == null) {
                running = control.deploy(desired);
                status.setActiveVersion(running.getVersion());
                OperatorConditions.set(status, generation, COMPILED, true, "Compiled", "version " + running.getVersion() + " compiled");
                OperatorConditions.set(status, generation, SWAPPING, false, "Deployed", "version " + running.getVersion() + " deployed");
            } else {
                try {
                    running = place(control, name, desired, running, pods);
                } catch (OperatorRejectedException e) {
                    if (e.code() != Status.Code.FAILED_PRECONDITION) {
                        throw e;
                    }
                    LOG.info("Rescale of {} waits: {}", name, e.getMessage());
                    waiting = e.getMessage();
                }
                OperatorSpec asPlaced = desired.toBuilder().setShards(running.getSpec().getShards()).build();
                if (!DesiredOperator.runs(running.getSpec(), asPlaced)) {
                    running = swap(resource, context, control, asPlaced, running, generation);
                } else {
                    status.setActiveVersion(running.getVersion());
                }
            }
            String where = placement(status, running, pool);
            if (waiting != null) {
                OperatorConditions.set(status, generation, PLACED, false, "RescaleRefused", "the spec asks for "
                        + SpecProtos.shards(desired) + " shards over " + pods.size() + " pods; the hosts refused it for now ("
                        + waiting + "); " + where + " until then");
            } else {
                OperatorConditions.set(status, generation, PLACED, true, "Placed", where);
            }
            OperatorConditions.set(status, generation, READY, true, "Running", "version " + status.getActiveVersion() + " serves at "
                    + status.getEndpoint());
            UpdateControl<CepOperator> patch = UpdateControl.patchStatus(resource);
            if (waiting != null) {
                return patch.rescheduleAfter(RETRY);
            }
            // A live rescale's cut-over ends when the job's streams move: look again until the pods before are free.
            if (autoscaling != null) {
                // Look again by the end of the stabilization window, so a change waits no longer than it.
                Duration window = Duration.ofSeconds(Math.max(1, autoscaling.stabilizationSeconds()));
                return patch.rescheduleAfter(window.compareTo(MEASURE) < 0 ? window : MEASURE);
            }
            return running.getCuttingOverOnCount() > 0 ? patch.rescheduleAfter(MEASURE) : patch;
        } catch (OperatorRejectedException e) {
            if (e.code() == Status.Code.INVALID_ARGUMENT || e.code() == Status.Code.FAILED_PRECONDITION) {
                OperatorConditions.set(status, generation, COMPILED, false, "CompileError", e.getMessage());
                OperatorConditions.set(status, generation, SWAPPING, false, "Refused",
                        running == null ? "nothing deployed" : "version " + running.getVersion() + " keeps serving");
                OperatorConditions.set(status, generation, READY, running != null, running != null ? "Running" : "NotDeployed",
                        running != null ? "version " + running.getVersion() + " serves at " + status.getEndpoint() : "the spec was refused");
                return UpdateControl.patchStatus(resource);
            }
            // An unavailable answer from a host that answered Describe is about the operator: what it
            // needs (its own process, for a remote operator) is out of reach for now.
            boolean operatorUnavailable = hostAnswered && e.code() == Status.Code.UNAVAILABLE;
            OperatorConditions.set(status, generation, READY, running != null, operatorUnavailable ? "OperatorUnavailable" : "HostUnavailable",
                    e.getMessage());
            return UpdateControl.patchStatus(resource).rescheduleAfter(RETRY);
        }
    }

    /** The shard count autoscaling chooses from the running shards' busy fractions; records why in the status. */
    private static int autoscale(CepOperatorStatus status, long generation, Autoscaling policy, OperatorStatus running) {
        AutoscalingStatus recorded = status.getAutoscaling() == null ? new AutoscalingStatus() : status.getAutoscaling();
        status.setAutoscaling(recorded);
        List<Double> busy = running.getShardsList().stream().map(ShardStatus::getBusy).toList();
        ShardAutoscaler.Decision decision = ShardAutoscaler.decide(policy, running.getSpec().getShards(), busy, recorded, Instant.now());
        if (decision.shards() != running.getSpec().getShards()) {
            LOG.info("Autoscaling {}: {}", running.getSpec().getName(), decision.message());
        }
        OperatorConditions.set(status, generation, OperatorConditions.AUTOSCALED, true, decision.reason(), decision.message());
        return decision.shards();
    }

    /**
     * Rescales the operator when its shard count or the pool's pods changed (shard s on pod s mod
     * pods); returns the operator as it runs then. While a job feeds it, the move is live: the
     * job's streams cut over at a checkpoint, and the pods that served the old shards keep them
     * until then ({@code PodsInUse}).
     */
    private static OperatorStatus place(OperatorPool control, String name, OperatorSpec desired, OperatorStatus running,
                                        List<String> pods) {
        int shards = SpecProtos.shards(desired);
        if (running.getSpec().getShards() == shards && placedOver(running, pods)) {
            return running;
        }
        return control.rescale(name, shards, pods);
    }

    /** Whether the operator's shards run where the pool's pods would put them now. */
    private static boolean placedOver(OperatorStatus running, List<String> pods) {
        Placement wanted = Placements.spread(running.getSpec().getShards(), pods, 1);
        if (running.getPlacement().getShardsCount() != running.getSpec().getShards()) {
            return false;
        }
        for (int s = 0; s < running.getPlacement().getShardsCount(); s++) {
            if (!Placements.hostOf(running.getPlacement(), s).equals(Placements.hostOf(wanted, s))) {
                return false;
            }
        }
        return true;
    }

    /** Writes the placement, and the endpoint (the hosts serving it, as the connector takes them), into the status; describes it. */
    private String placement(CepOperatorStatus status, OperatorStatus running, FunctionHost pool) {
        List<String> byOrdinal = endpoints.endpoints(pool, KeyGroups.COUNT);
        OperatorPlacement placement = new OperatorPlacement();
        placement.setEpoch(running.getPlacement().getEpoch());
        for (ShardPlacement shard : running.getPlacement().getShardsList()) {
            OperatorPlacement.PlacedShard placed = new OperatorPlacement.PlacedShard();
            placed.setShard(shard.getShard());
            placed.setHost(shard.getHost());
            placed.setPod(byOrdinal.indexOf(shard.getHost()));
            placed.setKeyGroups(shard.getFirstKeyGroup() + "-" + (shard.getEndKeyGroup() - 1));
            placement.getShards().add(placed);
        }
        List<Integer> cuttingOver = running.getCuttingOverOnList().stream().map(byOrdinal::indexOf).filter(pod -> pod >= 0).toList();
        placement.setCuttingOverPods(cuttingOver.isEmpty() ? null : cuttingOver);
        status.setPlacement(placement);
        List<String> serving = Placements.servingHosts(running.getPlacement());
        status.setEndpoint(String.join(",", serving));
        return running.getSpec().getShards() + " shards over " + serving.size() + " pods, placement epoch " + placement.getEpoch();
    }

    private OperatorStatus swap(CepOperator resource, Context<CepOperator> context, OperatorPool control, OperatorSpec desired,
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
        return updated;
    }

    @Override
    public DeleteControl cleanup(CepOperator resource, Context<CepOperator> context) {
        FunctionHost pool = pool(resource, context);
        if (pool == null) {
            return DeleteControl.defaultDelete();
        }
        try {
            controlPlanes.pool(endpoints.endpoints(pool), pool.getSpec().getTlsSecretName() != null)
                    .undeploy(resource.getMetadata().getName());
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

    private static OperatorStatus describe(OperatorPool control, String name) {
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
