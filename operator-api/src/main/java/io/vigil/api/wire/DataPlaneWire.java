package io.vigil.api.wire;

import io.grpc.MethodDescriptor;
import io.vigil.api.proto.DataPlaneGrpc;

/**
 * The {@code DataPlane/Process} method with a marshaller that moves frames as bytes, for Vigil's
 * own client and host. Same method name and wire format as the generated stub.
 */
public final class DataPlaneWire {
    public static final MethodDescriptor<Frame, Frame> PROCESS = MethodDescriptor.<Frame, Frame>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName(DataPlaneGrpc.getProcessMethod().getFullMethodName())
            .setRequestMarshaller(new FrameMarshaller())
            .setResponseMarshaller(new FrameMarshaller())
            .build();

    private DataPlaneWire() {
    }
}
