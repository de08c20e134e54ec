package io.vigil.flink.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.ControlPlaneGrpc;
import io.vigil.api.proto.DescribeRequest;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Open;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.wire.DataPlaneWire;
import io.vigil.api.wire.Frame;
import io.vigil.batching.Credits;
import io.vigil.batching.Wakeup;
import io.vigil.flink.VigilConnectorException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One subtask's connection to an operator: a gRPC channel to the host and one data-plane stream
 * per shard, each with its credits. Only the sender thread writes to the streams; answers arrive on
 * gRPC's threads and are handed to the {@link ResultListener}.
 */
public final class ShardStreams implements AutoCloseable {

    /** Receives every result frame, still encoded, and every barrier acknowledgement, on a network thread. */
    public interface ResultListener {
        void onResults(int shard, long batchId, Frame results);

        void onBarrierAck(int shard, long checkpointId, byte[] handle);
    }

    private final String endpoint;
    private final String operator;
    private final ManagedChannel channel;
    private final OperatorStatus status;
    private final StreamObserver<Frame>[] requests;
    private final Credits[] credits;
    private final CountDownLatch opened;
    private final Consumer<VigilConnectorException> onFailure;
    private volatile boolean closing;

    private ShardStreams(String endpoint, String operator, ManagedChannel channel, OperatorStatus status,
                         int shards, Wakeup senderWakeup, Consumer<VigilConnectorException> onFailure) {
        this.endpoint = endpoint;
        this.operator = operator;
        this.channel = channel;
        this.status = status;
        this.onFailure = onFailure;
        @SuppressWarnings("unchecked")
        StreamObserver<Frame>[] streams = new StreamObserver[shards];
        this.requests = streams;
        this.credits = new Credits[shards];
        for (int s = 0; s < shards; s++) {
            credits[s] = new Credits(senderWakeup);
        }
        this.opened = new CountDownLatch(shards);
    }

    /** Asks the host for the operator, so a wrong endpoint or name fails before any event is sent. */
    public static OperatorStatus describe(ManagedChannel channel, String endpoint, String operator, Duration timeout) {
        try {
            return ControlPlaneGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .describe(DescribeRequest.newBuilder().setName(operator).build());
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.NOT_FOUND) {
                throw new VigilConnectorException("operator '" + operator + "' is not deployed on the Vigil function host at "
                        + endpoint + ": " + e.getStatus().getDescription());
            }
            if (code == Status.Code.UNAVAILABLE) {
                throw new VigilConnectorException("the Vigil function host at " + endpoint + " is unreachable: "
                        + e.getStatus().getDescription(), e);
            }
            if (code == Status.Code.DEADLINE_EXCEEDED) {
                throw new VigilConnectorException("the Vigil function host at " + endpoint + " did not answer within " + timeout, e);
            }
            throw new VigilConnectorException("asking the Vigil function host at " + endpoint + " for operator '" + operator
                    + "' failed: " + e.getStatus(), e);
        }
    }

    /** Connects and asks the host for the operator; {@link #openStreams} then opens one stream per shard. */
    public static ShardStreams connect(String endpoint, String operator, Duration timeout, Wakeup senderWakeup,
                                       Consumer<VigilConnectorException> onFailure) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(endpoint)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        try {
            OperatorStatus status = describe(channel, endpoint, operator, timeout);
            return new ShardStreams(endpoint, operator, channel, status, status.getShardsCount(), senderWakeup, onFailure);
        } catch (RuntimeException e) {
            channel.shutdownNow();
            throw e;
        }
    }

    /** @param restoreHandles per shard, the state handle to restore from, or null for none */
    public void openStreams(String client, ResultListener listener, Duration timeout, byte[][] restoreHandles) {
        for (int s = 0; s < requests.length; s++) {
            requests[s] = ClientCalls.asyncBidiStreamingCall(channel.newCall(DataPlaneWire.PROCESS, CallOptions.DEFAULT),
                    new Receiver(s, listener));
            requests[s].onNext(Frame.of(ClientFrame.newBuilder().setOpen(Open.newBuilder()
                    .setOperator(operator)
                    .setShard(s)
                    .setClient(client)
                    .setInputSchema(status.getSpec().getInputSchema())
                    .setRestoreHandle(restoreHandles == null || restoreHandles[s] == null ? com.google.protobuf.ByteString.EMPTY
                            : com.google.protobuf.ByteString.copyFrom(restoreHandles[s]))).build()));
        }
        try {
            if (!opened.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new VigilConnectorException("operator '" + operator + "' at " + endpoint + " did not open its "
                        + requests.length + " shard streams within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VigilConnectorException("interrupted while opening streams to " + endpoint, e);
        }
    }

    public OperatorStatus status() {
        return status;
    }

    public int shards() {
        return requests.length;
    }

    public Credits credits(int shard) {
        return credits[shard];
    }

    /** Sender thread only. gRPC copies the frame's bytes before this returns. */
    public void send(int shard, Frame batch) {
        requests[shard].onNext(batch);
    }

    /** Sender thread only. */
    public void sendBarrier(int shard, long checkpointId) {
        requests[shard].onNext(Frame.of(ClientFrame.newBuilder()
                .setBarrier(io.vigil.api.proto.Barrier.newBuilder().setCheckpointId(checkpointId)).build()));
    }

    /** Sender thread only. */
    public void sendCheckpointComplete(int shard, long checkpointId) {
        requests[shard].onNext(Frame.of(ClientFrame.newBuilder()
                .setCheckpointComplete(io.vigil.api.proto.CheckpointComplete.newBuilder().setCheckpointId(checkpointId)).build()));
    }

    /** Ends the streams; call once the sender has stopped. */
    @Override
    public void close() {
        closing = true;
        for (StreamObserver<Frame> request : requests) {
            if (request != null) {
                try {
                    request.onCompleted();
                } catch (RuntimeException alreadyClosed) {
                    // The call already ended (for example after an error); nothing left to complete.
                }
            }
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.shutdownNow();
        }
    }

    private void fail(VigilConnectorException failure) {
        if (!closing) {
            onFailure.accept(failure);
        }
        while (opened.getCount() > 0) {
            opened.countDown();
        }
    }

    private final class Receiver implements StreamObserver<Frame> {
        private final int shard;
        private final ResultListener listener;

        Receiver(int shard, ResultListener listener) {
            this.shard = shard;
            this.listener = listener;
        }

        @Override
        public void onNext(Frame received) {
            if (received.isBatch()) {
                try {
                    listener.onResults(shard, received.resultBatchId(), received);
                } catch (BatchFormatException e) {
                    fail(new VigilConnectorException("unreadable results from " + endpoint + ": " + e.getMessage(), e));
                    return;
                }
                credits[shard].grant(1);
                return;
            }
            HostFrame frame;
            try {
                frame = received.asHostFrame();
            } catch (InvalidProtocolBufferException e) {
                fail(new VigilConnectorException("unreadable frame from " + endpoint + ": " + e.getMessage(), e));
                return;
            }
            switch (frame.getKindCase()) {
                case OPENED -> {
                    credits[shard].grant(frame.getOpened().getCredits());
                    opened.countDown();
                }
                case BARRIER_ACK -> listener.onBarrierAck(shard, frame.getBarrierAck().getCheckpointId(),
                        frame.getBarrierAck().getHandle().toByteArray());
                case ERROR -> fail(new VigilConnectorException("operator '" + operator + "' shard " + shard + " at " + endpoint
                        + " reported " + frame.getError().getCode() + ": " + frame.getError().getMessage()));
                default -> fail(new VigilConnectorException("unexpected " + frame.getKindCase() + " from " + endpoint));
            }
        }

        @Override
        public void onError(Throwable t) {
            fail(new VigilConnectorException("lost the stream to operator '" + operator + "' shard " + shard + " at " + endpoint
                    + ": " + Status.fromThrowable(t), t));
        }

        @Override
        public void onCompleted() {
            fail(new VigilConnectorException("the function host at " + endpoint + " ended the stream of operator '" + operator
                    + "' shard " + shard));
        }
    }
}
