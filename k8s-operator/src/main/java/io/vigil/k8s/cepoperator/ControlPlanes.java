package io.vigil.k8s.cepoperator;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorPool;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One gRPC channel per host endpoint, kept for the operator's life. */
public final class ControlPlanes implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public ControlPlaneClient at(String endpoint) {
        return new ControlPlaneClient(channel(endpoint), CALL_TIMEOUT);
    }

    /** The control plane of a pool's hosts over these channels; it is not closed, the channels stay here. */
    public OperatorPool pool(List<String> endpoints) {
        return new OperatorPool(endpoints, this::channel, CALL_TIMEOUT, false);
    }

    private ManagedChannel channel(String endpoint) {
        return channels.computeIfAbsent(endpoint, e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
