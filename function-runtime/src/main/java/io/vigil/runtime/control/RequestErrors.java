package io.vigil.runtime.control;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control-plane calls that fail before or outside the service's own checks get a status that says
 * what happened: bytes that are not the request message are {@code INVALID_ARGUMENT} naming the
 * message they should have been (gRPC would say {@code INTERNAL}), and an unexpected failure in
 * the host is {@code INTERNAL} naming it (gRPC would say {@code UNKNOWN}, "Application error").
 */
public final class RequestErrors implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RequestErrors.class);

    // Each method's request message, by the method's full name.
    private final java.util.Map<String, String> requestTypes = new java.util.HashMap<>();

    private RequestErrors(ServerServiceDefinition service) {
        for (var method : service.getMethods()) {
            MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
            requestTypes.put(descriptor.getFullMethodName(), requestType(descriptor));
        }
    }

    /** {@code service} with its requests parsed where a failure to parse can be answered. */
    public static ServerServiceDefinition around(ServerServiceDefinition service) {
        return ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(service), new RequestErrors(service));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean closed;

            @Override
            public void onMessage(Q message) {
                try {
                    super.onMessage(message);
                } catch (StatusRuntimeException e) {
                    // The message is parsed here, by the definition useInputStreamMessages made.
                    close(Status.INVALID_ARGUMENT.withDescription("not a " + requestTypes.get(call.getMethodDescriptor().getFullMethodName()) + ": "
                            + (e.getCause() != null ? e.getCause().getMessage() : e.getStatus().getDescription())));
                }
            }

            @Override
            public void onHalfClose() {
                if (closed) {
                    return;
                }
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    LOG.error("{} failed", call.getMethodDescriptor().getFullMethodName(), e);
                    close(Status.INTERNAL.withDescription("the host failed on " + call.getMethodDescriptor().getBareMethodName()
                            + ": " + e));
                }
            }

            private void close(Status status) {
                if (!closed) {
                    closed = true;
                    call.close(status, new Metadata());
                }
            }
        };
    }

    private static String requestType(MethodDescriptor<?, ?> method) {
        return method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> prototype
                && prototype.getMessagePrototype() != null
                ? prototype.getMessagePrototype().getClass().getSimpleName()
                : method.getBareMethodName() + " request";
    }
}
