package io.vigil.runtime.dataplane;

import io.vigil.runtime.logging.LifecycleLog;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.runtime.security.Caller;
import io.vigil.runtime.security.EventRate;
import io.vigil.runtime.security.HostAccess;
import io.vigil.runtime.security.Right;
import io.grpc.stub.StreamObserver;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.DataPlaneGrpc;
import io.vigil.api.proto.StreamError;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Open;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.wire.DataPlaneWire;
import io.vigil.api.wire.Frame;
import io.vigil.runtime.operator.DeployedOperator;
import io.vigil.runtime.operator.Operators;
import io.vigil.runtime.shard.Shard;
import io.vigil.runtime.shard.StreamSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Accepts data-plane streams. The first frame binds a stream to one shard of one operator; from
 * then on its batches go, still as bytes, to that shard's ring, and the shard thread decodes and
 * answers them. A stream binds only for a caller with the right to stream into the operator and
 * within its tenant's quota of open streams; a tenant past its events per second has its streams'
 * next batches read later (the client's credits then hold it back), never refused.
 */
public final class DataPlaneService {
    private final Operators operators;
    private final HostAccess access;
    private final int credits;
    private final BooleanSupplier draining;
    private final ScheduledExecutorService pacer;

    /** @param pacer reads the next batch of a stream whose tenant is past its events per second, once it may */
    public DataPlaneService(Operators operators, HostAccess access, int credits, BooleanSupplier draining,
            ScheduledExecutorService pacer) {
        this.operators = operators;
        this.access = access;
        this.credits = credits;
        this.draining = draining;
        this.pacer = pacer;
    }

    public ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(DataPlaneGrpc.SERVICE_NAME)
                .addMethod(DataPlaneWire.PROCESS, ServerCalls.asyncBidiStreamingCall(Inbound::new))
                .build();
    }

    private final class Inbound implements StreamObserver<Frame> {
        private final ServerCallStreamObserver<Frame> responses;
        private StreamSession session;
        private Shard shard;
        private boolean rejected;
        // The tenant's shared rate when it has one; read before every batch.
        private EventRate rate;
        private volatile Runnable releaseStream;
        private final Runnable requestOne;

        Inbound(StreamObserver<Frame> responses) {
            this.responses = (ServerCallStreamObserver<Frame>) responses;
            this.responses.disableAutoRequest();
            this.responses.setOnCloseHandler(this::release);
            this.responses.request(1);
            this.requestOne = () -> this.responses.request(1);
        }

        @Override
        public void onNext(Frame received) {
            if (rejected) {
                return;
            }
            if (session != null && received.isBatch()) {
                if (!shard.isAccepting()) {
                    responses.request(1);
                    return;
                }
                if (session.admitBatch()) {
                    shard.batch(session, received);
                } else {
                    shard.failStream(session, StreamError.Code.PROTOCOL, "client " + session.client() + " sent more than its "
                            + session.credits() + " credits of unanswered batches");
                }
                requestNext(received);
                return;
            }
            responses.request(1);
            ClientFrame frame;
            try {
                frame = received.asClientFrame();
            } catch (InvalidProtocolBufferException e) {
                if (session == null) {
                    reject(StreamError.Code.PROTOCOL, "unreadable frame: " + e.getMessage());
                } else {
                    shard.failStream(session, StreamError.Code.PROTOCOL, "unreadable frame: " + e.getMessage());
                }
                return;
            }
            if (session == null) {
                if (frame.getKindCase() != ClientFrame.KindCase.OPEN) {
                    reject(StreamError.Code.PROTOCOL, "a stream must start with Open, not " + frame.getKindCase());
                    return;
                }
                bind(frame.getOpen());
                return;
            }
            switch (frame.getKindCase()) {
                case BARRIER -> shard.barrier(session, frame.getBarrier().getCheckpointId(), frame.getBarrier().getEmittedThrough());
                case CHECKPOINT_COMPLETE -> shard.checkpointComplete(session, frame.getCheckpointComplete().getCheckpointId());
                case PLACEMENT_READY -> shard.placementReady(session, frame.getPlacementReady().getEpoch(),
                        frame.getPlacementReady().getNextBarrier());
                default -> shard.failStream(session, StreamError.Code.PROTOCOL, "unexpected " + frame.getKindCase() + " after Open");
            }
        }

        /** Reads the next frame now, or, when the tenant is past its events per second, once it may send again. */
        private void requestNext(Frame batch) {
            if (rate == null) {
                responses.request(1);
                return;
            }
            long waitNanos;
            try {
                waitNanos = rate.take(batch.batchRowCount(), System.nanoTime());
            } catch (BatchFormatException e) {
                waitNanos = 0;
            }
            if (waitNanos == 0) {
                responses.request(1);
            } else {
                try {
                    pacer.schedule(requestOne, waitNanos, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                    responses.request(1);
                }
            }
        }

        private void release() {
            Runnable release = releaseStream;
            if (release != null) {
                release.run();
            }
        }

        private void bind(Open open) {
            if (draining.getAsBoolean()) {
                reject(StreamError.Code.SHUTTING_DOWN, "the host is shutting down");
                return;
            }
            Caller caller;
            try {
                caller = access.require(Right.STREAM, open.getOperator(), "stream");
            } catch (StatusRuntimeException e) {
                rejected = true;
                responses.onError(e);
                return;
            }
            DeployedOperator operator = operators.get(open.getOperator());
            if (operator == null) {
                reject(StreamError.Code.UNKNOWN_OPERATOR, "operator '" + open.getOperator() + "' is not deployed on this host");
                return;
            }
            if (open.getShard() < 0 || open.getShard() >= operator.shardCount()) {
                reject(StreamError.Code.BAD_SHARD, "operator '" + open.getOperator() + "' has shards 0.."
                        + (operator.shardCount() - 1) + ", not " + open.getShard());
                return;
            }
            if (open.getEpoch() != 0 && open.getEpoch() != operator.placement().getEpoch()) {
                reject(StreamError.Code.PLACEMENT_CHANGED, "operator '" + open.getOperator() + "' is at placement epoch "
                        + operator.placement().getEpoch() + ", not " + open.getEpoch() + ": ask for its placement again");
                return;
            }
            if (operator.shard(open.getShard()) == null) {
                reject(StreamError.Code.SHARD_ELSEWHERE, "operator '" + open.getOperator() + "' shard " + open.getShard()
                        + " runs on host " + operator.hostOf(open.getShard()) + " (placement epoch "
                        + operator.placement().getEpoch() + "), not on " + operator.host());
                return;
            }
            EventSchema expected = operator.definition().input();
            String difference;
            try {
                difference = expected.differenceFrom(SchemaProtos.fromProto(open.getInputSchema()));
            } catch (IllegalArgumentException e) {
                difference = e.getMessage();
            }
            if (!difference.isEmpty()) {
                reject(StreamError.Code.SCHEMA_MISMATCH, "events for operator '" + open.getOperator() + "' must follow " + expected
                        + ": " + difference);
                return;
            }
            StateHandle restore = null;
            if (!open.getRestoreHandle().isEmpty()) {
                try {
                    restore = StateHandle.parseFrom(open.getRestoreHandle());
                } catch (InvalidProtocolBufferException e) {
                    reject(StreamError.Code.PROTOCOL, "unreadable restore handle: " + e.getMessage());
                    return;
                }
                if (!restore.getOperator().equals(open.getOperator()) || restore.getShard() != open.getShard()) {
                    reject(StreamError.Code.PROTOCOL, "the restore handle is for operator '" + restore.getOperator() + "' shard "
                            + restore.getShard() + ", not '" + open.getOperator() + "' shard " + open.getShard());
                    return;
                }
            }
            List<StateHandle> rescaledFrom = new ArrayList<>();
            for (ByteString bytes : open.getRescaledFromList()) {
                StateHandle source;
                try {
                    source = StateHandle.parseFrom(bytes);
                } catch (InvalidProtocolBufferException e) {
                    reject(StreamError.Code.PROTOCOL, "unreadable rescaled_from handle: " + e.getMessage());
                    return;
                }
                if (!source.getOperator().equals(open.getOperator())) {
                    reject(StreamError.Code.PROTOCOL, "a rescaled_from handle is for operator '" + source.getOperator() + "', not '"
                            + open.getOperator() + "'");
                    return;
                }
                rescaledFrom.add(source);
            }
            String overState = access.stateRefusal(open.getOperator(),
                    operators.usageOf(io.vigil.api.codec.OperatorNames.tenantOf(open.getOperator())).stateBytes());
            if (overState != null) {
                reject(StreamError.Code.OVER_QUOTA, overState);
                return;
            }
            String[] refusal = new String[1];
            releaseStream = access.openStream(caller, open.getOperator(), refusal);
            if (releaseStream == null) {
                reject(StreamError.Code.OVER_QUOTA, refusal[0]);
                return;
            }
            rate = access.rateOf(open.getOperator());
            shard = operator.shard(open.getShard());
            session = new StreamSession(responses, open.getClient(), credits, open.getFeed(), open.getJob(), open.getStreams(),
                    open.getStreamIndex(), open.getKeepResults()).rescaledFrom(rescaledFrom).openedBy(caller.name());
            shard.open(session, restore);
        }

        private void reject(StreamError.Code code, String message) {
            rejected = true;
            LifecycleLog.event("stream-refused").with("code", code.name()).with("message", message).warn();
            responses.onNext(Frame.of(HostFrame.newBuilder().setError(StreamError.newBuilder().setCode(code).setMessage(message)).build()));
            responses.onCompleted();
        }

        @Override
        public void onError(Throwable t) {
            release();
            if (session != null) {
                shard.closeStream(session, false);
            }
        }

        @Override
        public void onCompleted() {
            release();
            if (session != null) {
                shard.closeStream(session, true);
            } else if (!rejected) {
                responses.onCompleted();
            }
        }
    }
}
