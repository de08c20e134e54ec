package io.vigil.adapter.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One channel per remote process, shared by every operator version and shard that it serves. */
final class RemoteChannels {
    private static final int MAX_MESSAGE_BYTES = 256 << 20;

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    ManagedChannel channel(String target) {
        return channels.computeIfAbsent(target, t -> NettyChannelBuilder.forTarget(t)
                .usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build());
    }
}
