package io.vigil.runtime.console;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.vigil.api.codec.Diagnostics;
import io.vigil.api.proto.CheckpointEntry;
import io.vigil.api.proto.ConsoleOperator;
import io.vigil.api.proto.ConsoleOperatorSummary;
import io.vigil.api.proto.ConsoleOperators;
import io.vigil.api.proto.ConsoleUpdate;
import io.vigil.api.proto.DescribeRequest;
import io.vigil.api.proto.ListRequest;
import io.vigil.api.proto.ListResponse;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.ShardStatus;
import io.vigil.api.proto.SwapEntry;
import io.vigil.api.proto.ThroughputSample;
import io.vigil.api.proto.UpdateRequest;
import io.vigil.runtime.control.ControlPlaneService;
import io.vigil.runtime.operator.DeployedOperator;
import io.vigil.runtime.operator.Operators;
import io.vigil.runtime.security.Caller;
import io.vigil.runtime.security.HostAccess;
import io.vigil.runtime.security.Right;
import io.vigil.runtime.shard.Shard;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the console's JSON endpoints answer. Reads and updates go through the control plane as
 * the caller, so the console shows and changes only what the caller's rights allow there, and an
 * update is checked, audited and carried out exactly as {@code vigil update} would be.
 */
final class ConsoleApi {
    private static final int ENTRIES_SHOWN = 100;
    private final ControlPlaneService control;
    private final Operators operators;
    private final HostAccess access;
    private final OperatorTimelines timelines;

    ConsoleApi(ControlPlaneService control, Operators operators, HostAccess access, OperatorTimelines timelines) {
        this.control = control;
        this.operators = operators;
        this.access = access;
        this.timelines = timelines;
    }

    ConsoleOperators operators(Caller caller) throws ConsoleFailure {
        ListResponse list = call(caller, answer -> control.list(ListRequest.getDefaultInstance(), answer));
        ConsoleOperators.Builder page = ConsoleOperators.newBuilder().setCaller(caller.name())
                .setAuthenticatedBy(caller.authenticatedBy());
        for (OperatorStatus status : list.getOperatorsList()) {
            String name = status.getSpec().getName();
            ThroughputSample latest = timelines.latest(name);
            page.addOperators(ConsoleOperatorSummary.newBuilder().setName(name).setLanguage(status.getSpec().getLanguage())
                    .setVersion(status.getVersion()).setShards(status.getPlacement().getShardsCount())
                    .setShardsHere(status.getShardsCount()).setEventsPerSecond(latest.getEventsPerSecond())
                    .setResultsPerSecond(latest.getResultsPerSecond())
                    .setOpenStreams(status.getShardsList().stream().mapToInt(ShardStatus::getOpenStreams).sum())
                    .setStateBytes(status.getShardsList().stream().mapToLong(ShardStatus::getStateBytes).sum())
                    .setMayDeploy(access.allows(caller, Right.DEPLOY, name)));
        }
        return page.build();
    }

    ConsoleOperator operator(Caller caller, String name) throws ConsoleFailure {
        OperatorStatus status = call(caller, answer -> control.describe(DescribeRequest.newBuilder().setName(name).build(), answer));
        return view(caller, status);
    }

    /** Swaps in the operator's spec as it runs now with the new source; needs the deploy right. */
    ConsoleOperator update(Caller caller, ConsoleUpdate update) throws ConsoleFailure {
        OperatorStatus running = call(caller, answer -> control.describe(
                DescribeRequest.newBuilder().setName(update.getName()).build(), answer));
        UpdateRequest request = UpdateRequest.newBuilder()
                .setSpec(running.getSpec().toBuilder().setSource(update.getSource())).build();
        OperatorStatus updated = call(caller, answer -> control.update(request, answer));
        return view(caller, updated);
    }

    private ConsoleOperator view(Caller caller, OperatorStatus status) {
        String name = status.getSpec().getName();
        // A Java operator's jar is its versions' digest here, not megabytes of base64 each second.
        OperatorStatus shown = status.toBuilder().setSpec(status.getSpec().toBuilder().clearArtifact()).build();
        ConsoleOperator.Builder view = ConsoleOperator.newBuilder().setStatus(shown).addAllSamples(timelines.samples(name))
                .setMayDeploy(access.allows(caller, Right.DEPLOY, name));
        DeployedOperator operator = operators.get(name);
        if (operator == null) {
            return view.build();
        }
        List<SwapEntry> swaps = new ArrayList<>();
        List<CheckpointEntry> checkpoints = new ArrayList<>();
        for (Shard shard : operator.shards()) {
            swaps.addAll(shard.journal().swaps());
            checkpoints.addAll(shard.journal().checkpoints());
        }
        swaps.sort(Comparator.comparingLong(SwapEntry::getAtMillis).reversed());
        checkpoints.sort(Comparator.comparingLong(CheckpointEntry::getAtMillis).reversed());
        return view.addAllSwaps(swaps.subList(0, Math.min(ENTRIES_SHOWN, swaps.size())))
                .addAllCheckpoints(checkpoints.subList(0, Math.min(ENTRIES_SHOWN, checkpoints.size())))
                .addAllVersions(operator.versions()).build();
    }

    /** Runs one control-plane call as {@code caller}; its refusal or failure becomes a {@link ConsoleFailure}. */
    private static <T> T call(Caller caller, Consumer<StreamObserver<T>> method) throws ConsoleFailure {
        Answer<T> answer = new Answer<>();
        Caller.actingAs(caller, () -> method.accept(answer));
        if (answer.failure != null) {
            Status status = Status.fromThrowable(answer.failure);
            throw new ConsoleFailure(status.getCode(), status.getDescription(), Diagnostics.of(answer.failure));
        }
        if (answer.value == null) {
            throw new ConsoleFailure(Status.Code.INTERNAL, "the control plane gave no answer", List.of());
        }
        return answer.value;
    }

    /** The control plane answers its unary calls before it returns: this holds the answer. */
    private static final class Answer<T> implements StreamObserver<T> {
        private T value;
        private Throwable failure;

        @Override
        public void onNext(T next) {
            value = next;
        }

        @Override
        public void onError(Throwable error) {
            failure = error;
        }

        @Override
        public void onCompleted() {
        }
    }
}
