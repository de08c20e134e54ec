package io.vigil.api.codec;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.vigil.api.proto.Diagnostic;
import io.vigil.api.spi.SourceProblem;
import java.util.ArrayList;
import java.util.List;

/** Carries source problems (line and column) in the details of a gRPC status, both ways. */
public final class Diagnostics {
    private Diagnostics() {
    }

    public static StatusRuntimeException toException(Status.Code code, String message, List<SourceProblem> problems) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message);
        for (SourceProblem problem : problems) {
            status.addDetails(Any.pack(Diagnostic.newBuilder()
                    .setMessage(problem.message())
                    .setLine(problem.line())
                    .setColumn(problem.column())
                    .build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    /** The diagnostics in a failed call's status; empty when it has none. */
    public static List<Diagnostic> of(Throwable failure) {
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        List<Diagnostic> diagnostics = new ArrayList<>();
        if (status == null) {
            return diagnostics;
        }
        for (Any detail : status.getDetailsList()) {
            if (detail.is(Diagnostic.class)) {
                try {
                    diagnostics.add(detail.unpack(Diagnostic.class));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("malformed diagnostic in status details", e);
                }
            }
        }
        return diagnostics;
    }
}
