package io.vigil.runtime.shard;

import io.vigil.runtime.logging.LifecycleLog;
import io.vigil.api.proto.StateHandle;
import java.util.List;

import io.grpc.stub.StreamObserver;
import io.vigil.api.proto.StreamError;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.wire.Frame;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client stream bound to one shard. After {@code Open} only the shard's thread writes to the
 * stream, so writes need no lock; the network thread only counts batches in flight.
 */
public final class StreamSession {
    private final StreamObserver<Frame> responses;
    private final String client;
    private final int credits;
    private final String feed;
    private final String job;
    private final int streams;
    private final int streamIndex;
    private final AtomicInteger inFlight = new AtomicInteger();
    final UnpassedAnswers answers;
    // Owned by the shard thread.
    long watermark = Long.MIN_VALUE;
    long lastSequence;
    boolean closed;
    // The stream's answer to a live rescale: the epoch, and the first checkpoint its client can cut at.
    long readyEpoch;
    long readyAt;
    final ShardCheckpoints.Alignment alignment = new ShardCheckpoints.Alignment();
    // After a rescale: the checkpoints of the shards this one took key groups from (Open.rescaled_from).
    private List<StateHandle> rescaledFrom = List.of();
    private String caller = "";

    /**
     * @param feed    the feed the stream belongs to (its job and attempt); streams of one feed share the shard's state
     * @param job     the job the feed is an attempt of; empty for the feed itself
     * @param streams how many streams of that feed the shard waits for before it releases events
     * @param streamIndex which of them this is
     * @param keepResults the client may send a barrier before it has passed on the answers before it
     */
    public StreamSession(StreamObserver<Frame> responses, String client, int credits, String feed, String job, int streams,
                         int streamIndex, boolean keepResults) {
        this.responses = responses;
        this.client = client;
        this.credits = credits;
        this.feed = feed;
        this.job = job.isEmpty() ? feed : job;
        this.streams = Math.max(1, streams);
        this.streamIndex = Math.max(0, streamIndex);
        this.answers = new UnpassedAnswers(keepResults);
    }

    /** The stream restores, by key group, the checkpoints of the shards this one took key groups from. */
    public StreamSession rescaledFrom(List<StateHandle> handles) {
        this.rescaledFrom = List.copyOf(handles);
        return this;
    }

    /** Who opened the stream, as the host authenticated it: only streams of the same caller join a job's streams. */
    public StreamSession openedBy(String name) {
        this.caller = name;
        return this;
    }

    String caller() {
        return caller;
    }

    List<StateHandle> rescaledFrom() {
        return rescaledFrom;
    }

    public int streamIndex() {
        return streamIndex;
    }

    public String feed() {
        return feed;
    }

    /** The job whose attempt the feed is: while it feeds the shard, no other job may. */
    public String job() {
        return job;
    }

    public int streams() {
        return streams;
    }

    public String client() {
        return client;
    }

    public int credits() {
        return credits;
    }

    /** Called by the network thread for each batch; false when the client has overdrawn its credits. */
    public boolean admitBatch() {
        return inFlight.incrementAndGet() <= credits;
    }

    void answered() {
        inFlight.decrementAndGet();
    }

    void send(HostFrame frame) {
        send(Frame.of(frame));
    }

    /** gRPC copies the frame's bytes before this returns, so the caller may reuse its buffer. */
    void send(Frame frame) {
        if (!closed) {
            responses.onNext(frame);
        }
    }

    void fail(StreamError.Code code, String message, long batchId) {
        if (!closed) {
            LifecycleLog.event("stream-failed").with("client", client).with("job", job).with("code", code.name())
                    .with("message", message).with("batch", batchId == 0 ? null : batchId).warn();
            responses.onNext(Frame.of(HostFrame.newBuilder()
                    .setError(StreamError.newBuilder().setCode(code).setMessage(message).setBatchId(batchId))
                    .build()));
            responses.onCompleted();
            closed = true;
        }
    }

    void complete() {
        if (!closed) {
            responses.onCompleted();
            closed = true;
        }
    }

    void abandon() {
        closed = true;
    }
}
