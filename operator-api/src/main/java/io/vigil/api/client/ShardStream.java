package io.vigil.api.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.proto.Barrier;
import io.vigil.api.proto.CheckpointComplete;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Open;
import io.vigil.api.proto.Opened;
import io.vigil.api.proto.PlacementChange;
import io.vigil.api.proto.PlacementReady;
import io.vigil.api.proto.StreamError;
import io.vigil.api.wire.DataPlaneWire;
import io.vigil.api.wire.Frame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of one data-plane stream ({@code DataPlane/Process}) to one shard of an
 * operator: it opens with {@link Open}, sends batches within the credits the host grants (one
 * credit per batch, one back with each answer), sends barriers and checkpoint completions, and
 * hands what the host answers to a {@link Listener} on gRPC's threads. One thread sends.
 */
public final class ShardStream {

    /** What the host answers, on a gRPC thread, in the order it was sent. */
    public interface Listener {
        /** The host opened the stream; its credits are granted before this is called. */
        default void onOpened(Opened opened) {
        }

        /**
         * A result batch, still encoded, answering the batch it names; the frame is valid only
         * during the call. Its credit is granted after this returns.
         */
        void onResults(Frame results) throws BatchFormatException;

        /** The shard made the checkpoint durable; hand {@code handle} back in {@link Open} to restore it. */
        default void onBarrierAck(long checkpointId, ByteString handle) {
        }

        /** The operator is moving to another placement while the stream runs (see {@link PlacementChange}). */
        default void onPlacementChange(PlacementChange change) {
        }

        /** The host ended the stream with an error; {@link #onClosed} follows. */
        default void onError(StreamError error) {
        }

        /**
         * The stream is over: {@link Status#OK} when the host completed it, otherwise why it broke
         * (the transport, or a frame this client could not read). Called once.
         */
        void onClosed(Status status);
    }

    private final ClientCall<Frame, Frame> call;
    private final StreamObserver<Frame> requests;
    private final AtomicInteger credits = new AtomicInteger();
    private final CompletableFuture<Opened> opened = new CompletableFuture<>();

    private ShardStream(Channel channel, Listener listener, Runnable onCredit) {
        this.call = channel.newCall(DataPlaneWire.PROCESS, CallOptions.DEFAULT);
        this.requests = ClientCalls.asyncBidiStreamingCall(call, new Receiver(listener, onCredit));
    }

    /**
     * Opens a stream to the shard {@code open} names.
     *
     * @param onCredit run whenever the host grants credits, to wake a sender waiting for one
     */
    public static ShardStream open(Channel channel, Open open, Listener listener, Runnable onCredit) {
        ShardStream stream = new ShardStream(channel, listener, onCredit);
        stream.send(ClientFrame.newBuilder().setOpen(open).build());
        return stream;
    }

    /** Completes when the host has opened the stream; fails when the stream ends before. */
    public CompletableFuture<Opened> opened() {
        return opened;
    }

    /** Takes a credit for the next batch; false when the host has granted none that are free. */
    public boolean tryAcquireCredit() {
        int current;
        do {
            current = credits.get();
            if (current <= 0) {
                return false;
            }
        } while (!credits.compareAndSet(current, current - 1));
        return true;
    }

    public int credits() {
        return credits.get();
    }

    /** Sends an encoded batch (or any client frame); the caller holds a credit for a batch. gRPC copies the bytes before this returns. */
    public void send(Frame frame) {
        requests.onNext(frame);
    }

    /** Sends a frame built as a message, for frames other than batches. */
    public void send(ClientFrame frame) {
        requests.onNext(Frame.of(frame));
    }

    public void barrier(long checkpointId) {
        barrier(checkpointId, 0);
    }

    /** A barrier sent before every answer was passed on: the checkpoint keeps the answers after {@code emittedThrough}. */
    public void barrier(long checkpointId, long emittedThrough) {
        send(ClientFrame.newBuilder().setBarrier(Barrier.newBuilder().setCheckpointId(checkpointId)
                .setEmittedThrough(emittedThrough)).build());
    }

    public void checkpointComplete(long checkpointId) {
        send(ClientFrame.newBuilder().setCheckpointComplete(CheckpointComplete.newBuilder().setCheckpointId(checkpointId)).build());
    }

    /** Answers a {@link PlacementChange} asking where the client can cut: at {@code nextBarrier} or later. */
    public void placementReady(long epoch, long nextBarrier) {
        send(ClientFrame.newBuilder().setPlacementReady(PlacementReady.newBuilder().setEpoch(epoch).setNextBarrier(nextBarrier)).build());
    }

    /** No more input: the host answers what it has, then ends the stream. Does nothing when the stream has already ended. */
    public void complete() {
        try {
            requests.onCompleted();
        } catch (IllegalStateException alreadyEnded) {
            // The call has ended already (the host failed it, or it was cancelled): nothing to complete.
        }
    }

    /** Ends the stream at once, dropping what is in flight. */
    public void cancel(String why) {
        call.cancel(why, null);
    }

    private final class Receiver implements StreamObserver<Frame> {
        private final Listener listener;
        private final Runnable onCredit;
        private boolean closed;

        Receiver(Listener listener, Runnable onCredit) {
            this.listener = listener;
            this.onCredit = onCredit;
        }

        @Override
        public void onNext(Frame received) {
            if (closed) {
                return;
            }
            if (received.isBatch()) {
                try {
                    listener.onResults(received);
                } catch (BatchFormatException e) {
                    unreadable("results", e);
                    return;
                }
                grant(1);
                return;
            }
            HostFrame frame;
            try {
                frame = received.asHostFrame();
            } catch (InvalidProtocolBufferException e) {
                unreadable("a frame", e);
                return;
            }
            switch (frame.getKindCase()) {
                case OPENED -> {
                    grant(frame.getOpened().getCredits());
                    opened.complete(frame.getOpened());
                    listener.onOpened(frame.getOpened());
                }
                case PLACEMENT_CHANGE -> listener.onPlacementChange(frame.getPlacementChange());
                case BARRIER_ACK -> listener.onBarrierAck(frame.getBarrierAck().getCheckpointId(), frame.getBarrierAck().getHandle());
                case ERROR -> {
                    opened.completeExceptionally(new IllegalStateException(
                            frame.getError().getCode() + ": " + frame.getError().getMessage()));
                    listener.onError(frame.getError());
                }
                default -> unreadable("a frame", new InvalidProtocolBufferException("unexpected " + frame.getKindCase()));
            }
        }

        @Override
        public void onError(Throwable t) {
            close(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            close(Status.OK);
        }

        private void grant(int granted) {
            credits.addAndGet(granted);
            onCredit.run();
        }

        private void unreadable(String what, Exception e) {
            close(Status.INTERNAL.withDescription("unreadable " + what + " from the host: " + e.getMessage()).withCause(e));
            call.cancel("unreadable " + what, e);
        }

        private void close(Status status) {
            if (closed) {
                return;
            }
            closed = true;
            opened.completeExceptionally(status.asRuntimeException());
            listener.onClosed(status);
        }
    }
}
