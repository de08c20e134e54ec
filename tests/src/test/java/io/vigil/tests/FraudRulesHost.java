package io.vigil.tests;

import io.grpc.ManagedChannel;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A function host on loopback with the fraud rules deployed, for the tests of one class. */
final class FraudRulesHost implements BeforeAllCallback, AfterAllCallback {
    private final int shards;
    private FunctionHost host;
    private ManagedChannel channel;

    FraudRulesHost(int shards) {
        this.shards = shards;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        host = TestHosts.start();
        channel = TestHosts.channel(host);
        TestHosts.control(channel).deploy(FraudRules.spec(shards));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        channel.shutdownNow();
        host.close();
    }

    String endpoint() {
        return host.endpoint();
    }
}
