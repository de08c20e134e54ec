package io.vigil.tests;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.DataPlaneGrpc;
import io.vigil.api.proto.EventBatch;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.Open;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.WireBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A data-plane stream driven by hand, frame by frame, to test what the host answers. */
final class RawStream implements AutoCloseable {
    private final BlockingQueue<HostFrame> frames = new LinkedBlockingQueue<>();
    private final StreamObserver<ClientFrame> requests;
    private volatile boolean completed;

    RawStream(ManagedChannel channel) {
        requests = DataPlaneGrpc.newStub(channel).process(new StreamObserver<>() {
            @Override
            public void onNext(HostFrame frame) {
                frames.add(frame);
            }

            @Override
            public void onError(Throwable t) {
                completed = true;
            }

            @Override
            public void onCompleted() {
                completed = true;
            }
        });
    }

    RawStream open(String operator, int shard, EventSchema schema) {
        return open(operator, shard, schema, com.google.protobuf.ByteString.EMPTY);
    }

    RawStream open(String operator, int shard, EventSchema schema, com.google.protobuf.ByteString restoreHandle) {
        requests.onNext(ClientFrame.newBuilder().setOpen(Open.newBuilder()
                .setOperator(operator).setShard(shard).setClient("raw-test").setInputSchema(SchemaProtos.toProto(schema))
                .setRestoreHandle(restoreHandle)).build());
        return this;
    }

    void send(ClientFrame frame) {
        requests.onNext(frame);
    }

    void send(EventBatch batch) {
        requests.onNext(ClientFrame.newBuilder().setBatch(batch).build());
    }

    void send(ColumnarBatch batch, long id) {
        send(events(batch, id));
    }

    /** The batch as the generated message, for tests that tamper with it. */
    static EventBatch events(ColumnarBatch batch, long id) {
        return events(batch, id, false, 0);
    }

    static EventBatch events(ColumnarBatch batch, long id, boolean hasWatermark, long watermark) {
        WireBuffer wire = new WireBuffer(1024);
        BatchEncoder.events(batch, id, hasWatermark, watermark, wire);
        try {
            return ClientFrame.parseFrom(wire.toByteArray()).getBatch();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    HostFrame next() throws InterruptedException {
        HostFrame frame = frames.poll(30, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame from the host within 30 s");
        }
        return frame;
    }

    boolean awaitCompleted() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!completed && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return completed;
    }

    @Override
    public void close() {
        if (!completed) {
            requests.onCompleted();
        }
    }
}
