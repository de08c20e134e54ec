package io.vigil.benchmarks.harness;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.Open;
import io.vigil.api.wire.DataPlaneWire;
import io.vigil.api.wire.Frame;

/** Data-plane streams of payments straight to a host's shard, for drivers that do without Flink. */
public final class PaymentStreams {
    private PaymentStreams() {
    }

    /** Opens a stream to one shard of {@code operator}; the host's frames go to {@code answers}. */
    public static StreamObserver<Frame> open(ManagedChannel channel, String operator, int shard, String client,
                                             StreamObserver<Frame> answers) {
        StreamObserver<Frame> stream = ClientCalls.asyncBidiStreamingCall(channel.newCall(DataPlaneWire.PROCESS, CallOptions.DEFAULT), answers);
        stream.onNext(Frame.of(ClientFrame.newBuilder().setOpen(Open.newBuilder()
                .setOperator(operator).setShard(shard).setClient(client)
                .setInputSchema(SchemaProtos.toProto(Workload.PAYMENT))).build()));
        return stream;
    }
}
