package io.vigil.runtime.control;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.vigil.api.codec.OperatorNames;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.runtime.security.Caller;
import io.vigil.runtime.security.HostAccess;
import io.vigil.runtime.security.Right;
import io.vigil.api.codec.Diagnostics;
import io.vigil.api.keys.KeyGroups;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.api.proto.CheckpointRecord;
import io.vigil.api.proto.ControlPlaneGrpc;
import io.vigil.api.proto.ReadCheckpointRequest;
import io.vigil.api.proto.RescaleRequest;
import io.vigil.api.proto.StateHandle;
import java.io.IOException;
import io.vigil.api.proto.DeployRequest;
import io.vigil.api.proto.DescribeRequest;
import io.vigil.api.proto.HealthRequest;
import io.vigil.api.proto.HealthResponse;
import io.vigil.api.proto.ListRequest;
import io.vigil.api.proto.ListResponse;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.ShardStatus;
import io.vigil.api.proto.UndeployRequest;
import io.vigil.api.proto.UndeployResponse;
import io.vigil.api.proto.UpdateRequest;
import io.vigil.runtime.operator.DeployedOperator;
import io.vigil.runtime.operator.OperatorException;
import io.vigil.runtime.operator.Operators;
import io.vigil.runtime.shard.Shard;
import io.vigil.runtime.shard.ShardStats;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Deploy, Update, Rescale, Undeploy, List, Describe and Health over gRPC. Each call is first
 * checked against the caller's rights and its tenant's quota; each change, and each refusal, goes
 * to the audit log.
 */
public final class ControlPlaneService extends ControlPlaneGrpc.ControlPlaneImplBase {
    private final Operators operators;
    private final HostAccess access;
    private final BooleanSupplier draining;

    public ControlPlaneService(Operators operators, HostAccess access, BooleanSupplier draining) {
        this.operators = operators;
        this.access = access;
        this.draining = draining;
    }

    @Override
    public void deploy(DeployRequest request, StreamObserver<OperatorStatus> response) {
        if (draining.getAsBoolean()) {
            response.onError(Status.UNAVAILABLE.withDescription("the host is shutting down").asRuntimeException());
            return;
        }
        OperatorSpec spec = request.getSpec();
        Caller caller = permitted(response, Right.DEPLOY, spec.getName(), "deploy");
        if (caller == null || !withinQuota(response, caller, "deploy", spec.getName(), operators.get(spec.getName()) == null ? 1 : 0,
                request.hasPlacement() ? request.getPlacement().getShardsCount() : Math.max(1, spec.getShards()))) {
            return;
        }
        change(caller, "deploy", spec.getName(), response, () -> status(operators.deploy(spec,
                request.hasPlacement() ? request.getPlacement() : null, request.getHost())));
    }

    @Override
    public void update(UpdateRequest request, StreamObserver<OperatorStatus> response) {
        Caller caller = permitted(response, Right.DEPLOY, request.getSpec().getName(), "update");
        if (caller == null) {
            return;
        }
        change(caller, "update", request.getSpec().getName(), response, () -> status(operators.update(request.getSpec())));
    }

    @Override
    public void rescale(RescaleRequest request, StreamObserver<OperatorStatus> response) {
        if (draining.getAsBoolean()) {
            response.onError(Status.UNAVAILABLE.withDescription("the host is shutting down").asRuntimeException());
            return;
        }
        String name = request.getSpec().getName();
        Caller caller = permitted(response, Right.DEPLOY, name, "rescale");
        DeployedOperator before = operators.get(name);
        if (caller == null || !withinQuota(response, caller, "rescale", name, 0,
                request.getPlacement().getShardsCount() - (before == null ? 0 : before.shardCount()))) {
            return;
        }
        change(caller, request.getPrepareOnly() ? "rescale-prepare" : "rescale", name, response, () -> status(operators.rescale(
                request.getSpec(), request.getVersion(), request.getPlacement(), request.getHost(), request.getPrepareOnly())));
    }

    @Override
    public void readCheckpoint(ReadCheckpointRequest request, StreamObserver<CheckpointRecord> response) {
        StateHandle handle;
        try {
            handle = StateHandle.parseFrom(request.getHandle());
        } catch (InvalidProtocolBufferException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("unreadable state handle: " + e.getMessage()).asRuntimeException());
            return;
        }
        if (permitted(response, Right.STREAM, handle.getOperator(), "read-checkpoint") == null) {
            return;
        }
        DeployedOperator operator = operators.get(handle.getOperator());
        if (operator == null) {
            response.onError(Status.NOT_FOUND.withDescription("operator '" + handle.getOperator()
                    + "' is not deployed on this host, so its checkpoints are gone from it").asRuntimeException());
            return;
        }
        try {
            operators.peers().readHere(operator.definition(), handle, request.getFirstKeyGroup(), request.getEndKeyGroup(),
                    response::onNext);
            response.onCompleted();
        } catch (IOException e) {
            response.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public void undeploy(UndeployRequest request, StreamObserver<UndeployResponse> response) {
        Caller caller = permitted(response, Right.DEPLOY, request.getName(), "undeploy");
        if (caller == null) {
            return;
        }
        change(caller, "undeploy", request.getName(), response, () -> {
            DeployedOperator operator = operators.undeploy(request.getName());
            long events = operator.shards().stream().mapToLong(s -> s.stats().eventsProcessed()).sum();
            return UndeployResponse.newBuilder().setName(request.getName()).setEventsProcessed(events).build();
        });
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> response) {
        ListResponse.Builder list = ListResponse.newBuilder();
        operators.all().stream()
                .filter(operator -> access.visible(operator.name()))
                .sorted(Comparator.comparing(DeployedOperator::name))
                .forEach(operator -> list.addOperators(status(operator)));
        reply(response, list.build());
    }

    @Override
    public void describe(DescribeRequest request, StreamObserver<OperatorStatus> response) {
        if (permitted(response, Right.READ, request.getName(), "describe") == null) {
            return;
        }
        DeployedOperator operator = operators.get(request.getName());
        if (operator == null) {
            response.onError(Status.NOT_FOUND.withDescription("operator '" + request.getName()
                    + "' is not deployed on this host").asRuntimeException());
            return;
        }
        reply(response, status(operator));
    }

    @Override
    public void health(HealthRequest request, StreamObserver<HealthResponse> response) {
        reply(response, HealthResponse.newBuilder()
                .setState(draining.getAsBoolean() ? HealthResponse.State.DRAINING : HealthResponse.State.SERVING)
                .addAllLanguages(operators.languages())
                .setOperators(operators.all().size())
                .build());
    }

    private OperatorStatus status(DeployedOperator operator) {
        OperatorStatus.Builder status = OperatorStatus.newBuilder()
                .setSpec(operator.spec())
                .setVersion(operator.version())
                .setKeyGroups(KeyGroups.COUNT)
                .setPlacement(operator.placement())
                .addAllCuttingOverOn(operators.cuttingOver(operator.name()) ? List.of(operator.host()) : List.of())
                .setSplitsByKeyGroup(operator.shards().stream().allMatch(shard -> shard.runningInstance().splitsByKeyGroup()))
                .setStateHorizonMillis(operator.shards().isEmpty() ? 0 : operator.shards().get(0).stateHorizonMillis());
        for (Shard shard : operator.shards()) {
            ShardStats stats = shard.stats();
            ShardStatus.Builder shardStatus = ShardStatus.newBuilder()
                    .setShard(stats.shard())
                    .setVersion(stats.version())
                    .setEventsProcessed(stats.eventsProcessed())
                    .setResultsEmitted(stats.resultsEmitted())
                    .setOpenStreams(stats.openStreams())
                    .setEventTime(stats.eventTime())
                    .setEventsHeld(stats.eventsHeld())
                    .setLateEvents(stats.lateEvents())
                    .setWatermark(stats.watermark())
                    .setFeed(stats.feed() == null ? "" : stats.feed())
                    .setIdleMillis(stats.idleMillis())
                    .setFeedsReclaimed(stats.feedsReclaimed())
                    .setCheckpointPauses(stats.checkpointPauses())
                    .setBusy(stats.busy())
                    .setStateBytes(stats.stateBytes())
                    .setBatchesQueued(stats.pendingBatches());
            if (shard.lastSwap() != null) {
                shardStatus.setLastSwap(shard.lastSwap());
            }
            status.addShards(shardStatus);
        }
        return status.build();
    }

    /** Runs a change, audits its outcome, and answers with it. */
    private <T> void change(Caller caller, String action, String operator, StreamObserver<T> response, Change<T> change) {
        T result;
        try {
            result = change.run();
        } catch (OperatorException e) {
            RuntimeException status = toStatus(e);
            access.audit(caller, action, operator, Status.fromThrowable(status).getCode().name(), e.getMessage());
            response.onError(status);
            return;
        }
        access.audit(caller, action, operator, "OK", result instanceof OperatorStatus status ? "version " + status.getVersion() : null);
        reply(response, result);
    }

    private interface Change<T> {
        T run() throws OperatorException;
    }

    /** The caller, when it holds {@code right} on {@code operator}; null, with the refusal answered (and audited), when not. */
    private Caller permitted(StreamObserver<?> response, Right right, String operator, String action) {
        try {
            return access.require(right, operator, action);
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return null;
        }
    }

    /** Whether the tenant of {@code operator} stays within its quota with so many more; when not, the refusal is answered and audited. */
    private boolean withinQuota(StreamObserver<?> response, Caller caller, String action, String operator, int moreOperators,
                                int moreShards) {
        Operators.TenantUsage usage = operators.usageOf(OperatorNames.tenantOf(operator));
        try {
            access.requireWithinQuota(operator, usage.operators() + moreOperators, usage.shards() + moreShards, usage.stateBytes());
            return true;
        } catch (StatusRuntimeException e) {
            access.audit(caller, action, operator, e.getStatus().getCode().name(), e.getStatus().getDescription());
            response.onError(e);
            return false;
        }
    }

    private static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }

    private static RuntimeException toStatus(OperatorException e) {
        Status.Code code = switch (e.reason()) {
            case INVALID_SPEC, UNKNOWN_LANGUAGE, COMPILE_ERROR -> Status.Code.INVALID_ARGUMENT;
            case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case INCOMPATIBLE_UPDATE -> Status.Code.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case FAILED -> Status.Code.INTERNAL;
            case OVER_BUDGET -> Status.Code.RESOURCE_EXHAUSTED;
        };
        return Diagnostics.toException(code, e.getMessage(), e.problems());
    }
}
