package io.vigil.flink.internal;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.api.security.TransportSecurity;
import io.vigil.api.client.ShardStream;
import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.proto.ControlPlaneGrpc;
import io.vigil.api.proto.DescribeRequest;
import io.vigil.api.proto.Open;
import io.vigil.api.proto.Opened;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.PlacementChange;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.api.proto.StateHandle;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import io.vigil.api.proto.StreamError;
import io.vigil.api.wire.Frame;
import io.vigil.batching.Wakeup;
import io.vigil.flink.VigilConnectorException;
import io.vigil.api.placement.Placements;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One subtask's connection to an operator: a gRPC channel to each host that serves some of its
 * shards, and one data-plane {@link ShardStream} per shard, to the host the operator's placement
 * names. Only the sender thread writes to the streams; answers arrive on gRPC's threads and are
 * handed to the {@link ResultListener}; a stream that fails fails the task.
 */
public final class ShardStreams implements AutoCloseable {

    /** Receives every result frame, still encoded, and every barrier acknowledgement, on a network thread. */
    public interface ResultListener {
        void onResults(int shard, long batchId, Frame results) throws BatchFormatException;

        void onBarrierAck(int shard, long checkpointId, byte[] handle);

        /** A shard says the operator is moving to another placement while the job runs. */
        void onPlacementChange(PlacementChange change);
    }

    /** How this subtask's streams open: the same for every placement it follows. */
    private record Opening(String client, String job, String feed, int subtasks, int subtask, boolean keepResults,
                           ResultListener listener, Duration timeout) {
    }

    private final String operator;
    private final Map<String, ManagedChannel> channels;
    private final TransportSecurity security;
    private final OperatorStatus status;
    // The host that answered for the pool: it stands for the host a placement on one host names.
    private final String seed;
    // Names a real host for every shard.
    private final Placement placement;
    private final ShardStream[] streams;
    private final Receiver[] receivers;
    private final long[] storeIncarnations;
    private final ByteString[] handleSeals;
    private final Wakeup senderWakeup;
    private final Consumer<VigilConnectorException> onFailure;
    // Shared by the streams of every placement this subtask followed: the last to close sets it.
    private final AtomicBoolean closing;
    private Opening opening;

    private ShardStreams(String operator, Map<String, ManagedChannel> channels, TransportSecurity security, OperatorStatus status,
                         String seed, Placement placement, Wakeup senderWakeup, Consumer<VigilConnectorException> onFailure,
                         AtomicBoolean closing) {
        this.operator = operator;
        this.channels = channels;
        this.security = security;
        this.status = status;
        this.seed = seed;
        this.placement = placement;
        this.senderWakeup = senderWakeup;
        this.onFailure = onFailure;
        this.closing = closing;
        this.streams = new ShardStream[placement.getShardsCount()];
        this.receivers = new Receiver[placement.getShardsCount()];
        this.storeIncarnations = new long[placement.getShardsCount()];
        this.handleSeals = new ByteString[placement.getShardsCount()];
    }

    /** Asks the host for the operator, so a wrong endpoint or name fails before any event is sent. */
    private static OperatorStatus describe(ManagedChannel channel, String endpoint, String operator, Duration timeout) {
        try {
            return ControlPlaneGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .describe(DescribeRequest.newBuilder().setName(operator).build());
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.NOT_FOUND) {
                throw new VigilConnectorException("operator '" + operator + "' is not deployed on the Vigil function host at "
                        + endpoint + ": " + e.getStatus().getDescription());
            }
            if (code == Status.Code.UNAVAILABLE) {
                throw new VigilConnectorException("the Vigil function host at " + endpoint + " is unreachable: "
                        + e.getStatus().getDescription(), e);
            }
            if (code == Status.Code.DEADLINE_EXCEEDED) {
                throw new VigilConnectorException("the Vigil function host at " + endpoint + " did not answer within " + timeout, e);
            }
            throw new VigilConnectorException("asking the Vigil function host at " + endpoint + " for operator '" + operator
                    + "' failed: " + e.getStatus(), e);
        }
    }

    /**
     * Asks the pool's hosts in turn for the operator until one answers, and connects to every host
     * its placement names; {@link #openStreams} then opens one stream per shard.
     *
     * @param pool host:port of one function host, or several, comma-separated, of the pool serving the operator
     */
    public static ShardStreams connect(String pool, String operator, TransportSecurity security, Duration timeout, Wakeup senderWakeup,
                                       Consumer<VigilConnectorException> onFailure) {
        Map<String, ManagedChannel> channels = new LinkedHashMap<>();
        try {
            VigilConnectorException refused = null;
            for (String seed : pool.split(",")) {
                String endpoint = seed.trim();
                ManagedChannel channel = channels.computeIfAbsent(endpoint, security::channel);
                OperatorStatus status;
                try {
                    status = describe(channel, endpoint, operator, timeout);
                } catch (VigilConnectorException e) {
                    refused = refused == null ? e : refused;
                    continue;
                }
                int shards = status.getSpec().getShards();
                // A host from before placements names none: every shard is on it.
                Placement placement = Placements.resolved(status.getPlacement().getShardsCount() == shards ? status.getPlacement()
                        : Placements.onOneHost(shards), endpoint);
                for (String host : Placements.servingHosts(placement)) {
                    channels.computeIfAbsent(host, security::channel);
                }
                return new ShardStreams(operator, channels, security, status, endpoint, placement, senderWakeup, onFailure,
                        new AtomicBoolean());
            }
            throw refused;
        } catch (RuntimeException e) {
            channels.values().forEach(ManagedChannel::shutdownNow);
            throw e;
        }
    }


    /**
     * @param job            the job the streams belong to: while it feeds the operator, no other job may
     * @param feed           the job's attempt; the shard's state is that feed's
     * @param subtasks       how many subtasks feed each shard
     * @param subtask        which of them opens these streams
     * @param keepResults    barriers go without waiting for the answers before them, so the shards keep those
     * @param restore        what each shard restores
     * @return per shard, what the host answered the open with
     */
    Opened[] openStreams(String client, String job, String feed, int subtasks, int subtask, boolean keepResults,
                         ResultListener listener, Duration timeout, RestorePlan restore) {
        opening = new Opening(client, job, feed, subtasks, subtask, keepResults, listener, timeout);
        return open(restore, new boolean[streams.length]);
    }

    /** Opens a stream to every shard but those {@code kept}; answers per shard, null for the kept and when one failed. */
    private Opened[] open(RestorePlan restore, boolean[] kept) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Opened>[] opened = new CompletableFuture[streams.length];
        for (int s = 0; s < streams.length; s++) {
            if (kept[s]) {
                opened[s] = CompletableFuture.completedFuture(null);
                continue;
            }
            Open open = Open.newBuilder()
                    .setOperator(operator)
                    .setShard(s)
                    .setClient(opening.client())
                    .setFeed(opening.feed())
                    .setJob(opening.job())
                    .setStreams(opening.subtasks())
                    .setStreamIndex(opening.subtask())
                    .setKeepResults(opening.keepResults())
                    .setInputSchema(status.getSpec().getInputSchema())
                    .setRestoreHandle(restore.own(s) == null ? ByteString.EMPTY : ByteString.copyFrom(restore.own(s)))
                    .addAllRescaledFrom(restore.rescaledFrom(s).stream().map(ByteString::copyFrom).toList())
                    .setEpoch(placement.getEpoch())
                    .build();
            receivers[s] = new Receiver(s, opening.listener());
            streams[s] = ShardStream.open(channels.get(hostOf(s)), open, receivers[s], senderWakeup::signal);
            opened[s] = streams[s].opened();
        }
        Duration timeout = opening.timeout();
        try {
            CompletableFuture.allOf(opened).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Opened[] answers = new Opened[streams.length];
            for (int s = 0; s < streams.length; s++) {
                answers[s] = opened[s].get();
                if (answers[s] != null) {
                    storeIncarnations[s] = answers[s].getStoreIncarnation();
                    handleSeals[s] = answers[s].getHandleSeal();
                }
            }
            return answers;
        } catch (TimeoutException e) {
            throw new VigilConnectorException("operator '" + operator + "' at " + String.join(", ", channels.keySet())
                    + " did not open its " + streams.length + " shard streams within " + timeout);
        } catch (ExecutionException e) {
            // The stream's listener has reported why; the task fails with that.
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VigilConnectorException("interrupted while opening streams to " + String.join(", ", channels.keySet()), e);
        }
    }

    /**
     * Sender thread, at a live rescale's cut, once every shard has made checkpoint
     * {@code checkpointId} durable and every answer before it has arrived: the streams of this
     * placement that the next one keeps as they are (same shard, key groups and host) go on; the
     * others end, and the next placement's other shards open, restoring from this placement's
     * checkpoint by key group. The kept answers those shards hand back are not passed on again:
     * the subtask passed them on before the cut. Returns the streams of the next placement.
     */
    ShardStreams cutOver(Placement next, long checkpointId) throws InvalidProtocolBufferException {
        Placement resolved = Placements.resolved(next, seed);
        for (String host : Placements.servingHosts(resolved)) {
            channels.computeIfAbsent(host, security::channel);
        }
        ShardStreams following = new ShardStreams(operator, channels, security, status, seed, resolved, senderWakeup, onFailure,
                closing);
        following.opening = opening;
        boolean sameCount = following.streams.length == streams.length;
        boolean[] kept = new boolean[following.streams.length];
        for (int s = 0; s < streams.length; s++) {
            if (sameCount && Placements.sameShard(placement.getShards(s), resolved.getShards(s))) {
                kept[s] = true;
                following.streams[s] = streams[s];
                following.receivers[s] = receivers[s];
                following.storeIncarnations[s] = storeIncarnations[s];
                following.handleSeals[s] = handleSeals[s];
            } else {
                receivers[s].retired = true;
                streams[s].complete();
            }
        }
        RestorePlan restore = RestorePlan.of(stateHandles(checkpointId), operator, resolved);
        if (following.open(restore, kept) == null) {
            throw new VigilConnectorException("operator '" + operator + "' could not open the streams of placement epoch "
                    + resolved.getEpoch() + " after checkpoint " + checkpointId);
        }
        return following;
    }

    /**
     * The handles of checkpoint {@code checkpointId} for this placement's shards, as the subtask
     * stores them in Flink's state: each names the shard's checkpoint by job and id, and where and
     * for which key groups it was taken. None for a shard whose host keeps no state.
     */
    List<byte[]> stateHandles(long checkpointId) {
        List<byte[]> handles = new ArrayList<>();
        for (int s = 0; s < streams.length; s++) {
            if (storeIncarnations[s] != 0) {
                ShardPlacement placed = placement.getShards(s);
                handles.add(StateHandle.newBuilder().setOperator(operator).setShard(s).setCheckpointId(checkpointId)
                        .setJob(opening.job()).setStoreIncarnation(storeIncarnations[s]).setSeal(handleSeals[s]).setHost(hostOf(s))
                        .setFirstKeyGroup(placed.getFirstKeyGroup()).setEndKeyGroup(placed.getEndKeyGroup()).build().toByteArray());
            }
        }
        return handles;
    }

    /** Sender thread only: answers a live rescale's question on every stream. */
    void sendPlacementReady(long epoch, long nextBarrier) {
        for (ShardStream stream : streams) {
            stream.placementReady(epoch, nextBarrier);
        }
    }

    public OperatorStatus status() {
        return status;
    }

    public int shards() {
        return streams.length;
    }

    /** Where the operator's shards run, one entry per shard, each naming its host. */
    public Placement placement() {
        return placement;
    }

    /** The host serving {@code shard}. */
    public String hostOf(int shard) {
        return Placements.hostOf(placement, shard);
    }

    /** Sender thread only: takes a credit for a batch to {@code shard}. */
    public boolean tryAcquireCredit(int shard) {
        return streams[shard].tryAcquireCredit();
    }

    /** Sender thread only, holding a credit. gRPC copies the frame's bytes before this returns. */
    public void send(int shard, Frame batch) {
        streams[shard].send(batch);
    }

    /** Sender thread only. */
    public void sendBarrier(int shard, long checkpointId, long emittedThrough) {
        streams[shard].barrier(checkpointId, emittedThrough);
    }

    /** Sender thread only. */
    public void sendCheckpointComplete(int shard, long checkpointId) {
        streams[shard].checkpointComplete(checkpointId);
    }

    /** Ends the streams; call once the sender has stopped. */
    @Override
    public void close() {
        closing.set(true);
        for (ShardStream stream : streams) {
            if (stream != null) {
                stream.complete();
            }
        }
        channels.values().forEach(ManagedChannel::shutdown);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ManagedChannel channel : channels.values()) {
            try {
                if (!channel.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.shutdownNow();
            }
        }
    }

    private void fail(VigilConnectorException failure) {
        if (!closing.get()) {
            onFailure.accept(failure);
        }
    }

    private final class Receiver implements ShardStream.Listener {
        private final int shard;
        private final ResultListener listener;
        // The stream ended at a live rescale's cut: its end is no failure.
        volatile boolean retired;

        Receiver(int shard, ResultListener listener) {
            this.shard = shard;
            this.listener = listener;
        }

        @Override
        public void onResults(Frame results) throws BatchFormatException {
            listener.onResults(shard, results.resultBatchId(), results);
        }

        @Override
        public void onBarrierAck(long checkpointId, ByteString handle) {
            listener.onBarrierAck(shard, checkpointId, handle.toByteArray());
        }

        @Override
        public void onPlacementChange(PlacementChange change) {
            listener.onPlacementChange(change);
        }

        @Override
        public void onError(StreamError error) {
            if (retired) {
                return;
            }
            fail(new VigilConnectorException("operator '" + operator + "' shard " + shard + " at " + hostOf(shard)
                    + " reported " + error.getCode() + ": " + error.getMessage()));
        }

        @Override
        public void onClosed(Status status) {
            if (retired && status.isOk()) {
                return;
            }
            if (status.isOk()) {
                fail(new VigilConnectorException("the function host at " + hostOf(shard) + " ended the stream of operator '"
                        + operator + "' shard " + shard));
            } else {
                fail(new VigilConnectorException("lost the stream to operator '" + operator + "' shard " + shard + " at "
                        + hostOf(shard) + ": " + status, status.getCause()));
            }
        }
    }
}
