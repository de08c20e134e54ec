package io.vigil.adapter.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.BlockingClientCall;
import io.grpc.stub.ClientCalls;
import io.vigil.api.proto.RemoteOperatorGrpc;
import io.vigil.api.proto.SessionReply;
import io.vigil.api.proto.SessionRequest;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.FrameMarshaller;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One shard's stream to the process that runs its function: a request, then its reply, one at a
 * time. Batches go out and results come back as the bytes {@link io.vigil.api.wire.BatchEncoder}
 * writes and {@link io.vigil.api.wire.BatchDecoder} reads, the rest as {@code remote.proto} messages.
 */
final class RemoteSession implements AutoCloseable {
    // SessionRequest.batch and SessionReply.results are field 2, as in the data plane's frames,
    // so the same encoder and decoder serve both streams without building messages.
    static final MethodDescriptor<Frame, Frame> SESSION = MethodDescriptor.<Frame, Frame>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName(RemoteOperatorGrpc.getSessionMethod().getFullMethodName())
            .setRequestMarshaller(new FrameMarshaller())
            .setResponseMarshaller(new FrameMarshaller())
            .build();

    private final String description;
    private final long timeoutMillis;
    private final BlockingClientCall<Frame, Frame> call;

    RemoteSession(RemoteFunction function, String description) {
        this.description = description;
        this.timeoutMillis = function.timeoutMillis();
        // Sessions are opened while the host serves a control-plane call; a call started in that
        // call's context would be cancelled when it completes, so the session starts in the root one.
        Context caller = Context.ROOT.attach();
        try {
            this.call = ClientCalls.blockingBidiStreamingCall(function.channel(), SESSION, CallOptions.DEFAULT.withWaitForReady());
        } finally {
            Context.ROOT.detach(caller);
        }
    }

    /** Sends {@code request} and waits for its reply. */
    Frame exchange(Frame request) {
        try {
            if (!call.write(request, timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new RemoteOperatorException(description + ": the process ended the session");
            }
            Frame reply = call.read(timeoutMillis, TimeUnit.MILLISECONDS);
            if (reply == null) {
                throw new RemoteOperatorException(description + ": the process ended the session without a reply");
            }
            return reply;
        } catch (StatusException e) {
            Status status = e.getStatus();
            throw new RemoteOperatorException(description + " failed: " + status.getCode()
                    + (status.getDescription() == null ? "" : " " + status.getDescription()), e);
        } catch (TimeoutException e) {
            call.cancel("no reply within " + timeoutMillis + " ms", e);
            throw new RemoteOperatorException(description + ": no reply within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel("interrupted", e);
            throw new RemoteOperatorException(description + ": interrupted waiting for the process", e);
        }
    }

    /** Sends a control request and returns the reply, which must be of kind {@code expected}. */
    SessionReply call(SessionRequest request, SessionReply.KindCase expected) {
        Frame reply = exchange(Frame.of(request));
        SessionReply message;
        try {
            message = SessionReply.parseFrom(java.nio.ByteBuffer.wrap(reply.bytes(), 0, reply.length()));
        } catch (InvalidProtocolBufferException e) {
            throw new RemoteOperatorException(description + " sent a reply that is not a SessionReply: " + e.getMessage(), e);
        }
        if (message.getKindCase() != expected) {
            throw new RemoteOperatorException(description + " answered " + request.getKindCase() + " with "
                    + message.getKindCase() + " instead of " + expected);
        }
        return message;
    }

    @Override
    public void close() {
        try {
            call.halfClose();
        } catch (RuntimeException alreadyClosed) {
            call.cancel("session closed", alreadyClosed);
        }
    }
}
