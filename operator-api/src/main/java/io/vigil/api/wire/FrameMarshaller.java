package io.vigil.api.wire;

import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Moves {@link Frame}s as the bytes they are, for methods whose batches Vigil encodes itself. */
public final class FrameMarshaller implements MethodDescriptor.Marshaller<Frame> {

    @Override
    public InputStream stream(Frame frame) {
        return frame.stream();
    }

    @Override
    public Frame parse(InputStream stream) {
        try {
            return Frame.of(stream.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a frame", e);
        }
    }
}
