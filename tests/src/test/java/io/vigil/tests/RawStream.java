package io.vigil.tests;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.client.ShardStream;
import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.BarrierAck;
import io.vigil.api.proto.ClientFrame;
import io.vigil.api.proto.EventBatch;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.PlacementChange;
import io.vigil.api.proto.Open;
import io.vigil.api.proto.Opened;
import io.vigil.api.proto.StreamError;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.wire.BatchEncoder;
import io.vigil.api.wire.Frame;
import io.vigil.api.wire.WireBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A data-plane stream driven by hand, frame by frame, to test what the host answers: the
 * client's {@link ShardStream}, with every answer queued as the host frame it was. It sends what a
 * test gives it, credits or not.
 */
final class RawStream implements AutoCloseable, ShardStream.Listener {
    private final ManagedChannel channel;
    private final BlockingQueue<HostFrame> frames = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Status closedWith;
    private ShardStream stream;

    RawStream(ManagedChannel channel) {
        this.channel = channel;
    }

    RawStream open(String operator, int shard, EventSchema schema) {
        return open(operator, shard, schema, ByteString.EMPTY);
    }

    RawStream open(String operator, int shard, EventSchema schema, ByteString restoreHandle) {
        return open(Open.newBuilder().setOperator(operator).setShard(shard).setInputSchema(SchemaProtos.toProto(schema))
                .setRestoreHandle(restoreHandle).build());
    }

    /** A stream of one attempt ({@code feed}) of {@code job}. */
    RawStream open(String operator, int shard, EventSchema schema, String job, String feed) {
        return open(Open.newBuilder().setOperator(operator).setShard(shard).setInputSchema(SchemaProtos.toProto(schema))
                .setJob(job).setFeed(feed).build());
    }

    private RawStream open(Open open) {
        stream = ShardStream.open(channel, open.toBuilder().setClient("raw-test").build(), this, () -> { });
        return this;
    }

    void send(ClientFrame frame) {
        stream.send(frame);
    }

    void send(EventBatch batch) {
        stream.send(ClientFrame.newBuilder().setBatch(batch).build());
    }

    void send(ColumnarBatch batch, long id) {
        send(events(batch, id));
    }

    /** Sends barrier {@code id} without waiting for its acknowledgement. */
    void barrier(long id) {
        stream.barrier(id);
    }

    /** Sends barrier {@code id}; returns the handle the host acknowledged it with. */
    ByteString checkpoint(long id) throws InterruptedException {
        stream.barrier(id);
        HostFrame frame = next();
        assertThat(frame.hasBarrierAck()).as("barrier ack: %s", frame).isTrue();
        return frame.getBarrierAck().getHandle();
    }

    /** Tells the shard that Flink completed checkpoint {@code id}: it may release older ones. */
    void checkpointComplete(long id) {
        stream.checkpointComplete(id);
    }

    /**
     * The batch as the generated message, for tests that tamper with it; its watermark is its
     * latest timestamp, as a source whose events come in order would send, so the shard releases
     * the batch's events at once.
     */
    static EventBatch events(ColumnarBatch batch, long id) {
        long latest = Long.MIN_VALUE;
        for (int r = 0; r < batch.rowCount(); r++) {
            latest = Math.max(latest, batch.timestamp(r));
        }
        return events(batch, id, batch.rowCount() > 0, latest);
    }

    static EventBatch events(ColumnarBatch batch, long id, boolean hasWatermark, long watermark) {
        WireBuffer wire = new WireBuffer(1024);
        BatchEncoder.events(batch, id, hasWatermark, watermark, wire);
        try {
            return ClientFrame.parseFrom(wire.toByteArray()).getBatch();
        } catch (InvalidProtocolBufferException e) {
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
        return closed.await(30, TimeUnit.SECONDS);
    }

    /** The status the stream ended with, once it has. */
    Status awaitClosed() throws InterruptedException {
        assertThat(awaitCompleted()).as("the stream ended within 30 s").isTrue();
        return closedWith;
    }

    @Override
    public void onOpened(Opened opened) {
        frames.add(HostFrame.newBuilder().setOpened(opened).build());
    }

    @Override
    public void onResults(Frame results) {
        try {
            frames.add(results.asHostFrame());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void onBarrierAck(long checkpointId, ByteString handle) {
        frames.add(HostFrame.newBuilder().setBarrierAck(BarrierAck.newBuilder().setCheckpointId(checkpointId).setHandle(handle)).build());
    }

    @Override
    public void onPlacementChange(PlacementChange change) {
        frames.add(HostFrame.newBuilder().setPlacementChange(change).build());
    }

    @Override
    public void onError(StreamError error) {
        frames.add(HostFrame.newBuilder().setError(error).build());
    }

    @Override
    public void onClosed(Status status) {
        closedWith = status;
        closed.countDown();
    }

    @Override
    public void close() {
        if (stream != null && closed.getCount() > 0) {
            stream.complete();
        }
    }
}
