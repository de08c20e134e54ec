package io.vigil.k8s.cepoperator;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.client.ControlPlaneClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One gRPC channel per host endpoint, kept for the operator's life. */
public final class ControlPlanes implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public ControlPlaneClient at(String endpoint) {
        ManagedChannel channel = channels.computeIfAbsent(endpoint, e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
        return new ControlPlaneClient(channel, CALL_TIMEOUT);
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
