package io.vigil.adapter.grpc;

import io.grpc.ManagedChannel;
import io.vigil.api.security.TransportSecurity;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One channel per remote process, shared by every operator version and shard that it serves,
 * secured as the host's settings say (plaintext, or mutual TLS with the host's certificate).
 */
final class RemoteChannels {
    private static final int MAX_MESSAGE_BYTES = 256 << 20;

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final TransportSecurity security;

    RemoteChannels(TransportSecurity security) {
        this.security = security;
    }

    ManagedChannel channel(String target) {
        return channels.computeIfAbsent(target, t -> security.channel(t, MAX_MESSAGE_BYTES));
    }
}
