package io.vigil.api.client;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.api.codec.Diagnostics;
import io.vigil.api.proto.ControlPlaneGrpc;
import io.vigil.api.proto.DeployRequest;
import io.vigil.api.proto.DescribeRequest;
import io.vigil.api.proto.HealthRequest;
import io.vigil.api.proto.HealthResponse;
import io.vigil.api.proto.ListRequest;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.RescaleRequest;
import io.vigil.api.proto.UndeployRequest;
import io.vigil.api.proto.UndeployResponse;
import io.vigil.api.proto.UpdateRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A blocking client of a function host's control plane that turns failed calls into {@link OperatorRejectedException}. */
public final class ControlPlaneClient {
    private final ControlPlaneGrpc.ControlPlaneBlockingStub stub;
    private final Duration timeout;

    public ControlPlaneClient(Channel channel, Duration timeout) {
        this.stub = ControlPlaneGrpc.newBlockingStub(channel);
        this.timeout = timeout;
    }

    public OperatorStatus deploy(OperatorSpec spec) {
        return call(() -> stub().deploy(DeployRequest.newBuilder().setSpec(spec).build()));
    }

    /** A deploy with its placement over a pool of hosts; {@link OperatorPool} makes these. */
    public OperatorStatus deploy(DeployRequest request) {
        return call(() -> stub().deploy(request));
    }

    public OperatorStatus update(OperatorSpec spec) {
        return call(() -> stub().update(UpdateRequest.newBuilder().setSpec(spec).build()));
    }

    /** One host's part of a rescale; {@link OperatorPool#rescale} makes these. */
    public OperatorStatus rescale(RescaleRequest request) {
        return call(() -> stub().rescale(request));
    }

    public UndeployResponse undeploy(String name) {
        return call(() -> stub().undeploy(UndeployRequest.newBuilder().setName(name).build()));
    }

    public List<OperatorStatus> list() {
        return call(() -> stub().list(ListRequest.getDefaultInstance()).getOperatorsList());
    }

    public OperatorStatus describe(String name) {
        return call(() -> stub().describe(DescribeRequest.newBuilder().setName(name).build()));
    }

    public HealthResponse health() {
        return call(() -> stub().health(HealthRequest.getDefaultInstance()));
    }

    private ControlPlaneGrpc.ControlPlaneBlockingStub stub() {
        return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            String message = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
            throw new OperatorRejectedException(status.getCode(), message, Diagnostics.of(e), e);
        }
    }
}
