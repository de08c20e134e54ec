package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.StreamError;
import io.vigil.api.security.TransportSecurity;
import io.vigil.examples.fraud.FraudRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host process started with {@code --log-json} writes one JSON object per lifecycle event, with
 * the operator, shard and version: deploy, stream opened, update (and each shard's swap), a
 * refused stream, undeploy.
 */
class LifecycleLogTest {
    @TempDir
    Path state;

    @Test
    void aHostWritesEachLifecycleEventAsAJsonLine() throws Exception {
        List<String> printed = new CopyOnWriteArrayList<>();
        try (HostProcess host = HostProcess.startWith(state, printed::add, "--log-json")) {
            ManagedChannel channel = TransportSecurity.plaintext().channel(host.endpoint());
            try {
                ControlPlaneClient control = new ControlPlaneClient(channel, Duration.ofSeconds(30));
                control.deploy(FraudRules.spec("logged", OperatorFeedsTest.ALL, 1));
                try (RawStream stream = new RawStream(channel).open("logged", 0, DataPlaneErrorsTest.TXN, "job-1", "job-1/attempt-0")) {
                    assertThat(stream.next().hasOpened()).isTrue();
                    control.update(FraudRules.spec("logged", OperatorFeedsTest.ALL.replace("'ALL'", "'EVERY'"), 1));
                    stream.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
                    assertThat(stream.next().getResults().getVersion()).isEqualTo(2);
                }
                try (RawStream refused = new RawStream(channel).open("nowhere", 0, DataPlaneErrorsTest.TXN)) {
                    assertThat(refused.next().getError().getCode()).isEqualTo(StreamError.Code.UNKNOWN_OPERATOR);
                }
                control.undeploy("logged");
            } finally {
                channel.shutdownNow();
            }
            TestHosts.await(() -> "no undeploy line within 10 s:\n" + String.join("\n", printed), Duration.ofSeconds(10),
                    () -> printed.stream().anyMatch(line -> line.contains("{\"event\":\"undeploy\"")));
        }
        assertThat(printed).anySatisfy(line -> assertThat(line).contains(
                "{\"event\":\"deploy\",\"operator\":\"logged\",\"version\":1,\"language\":\"esper\",\"shards\":1"));
        assertThat(printed).anySatisfy(line -> assertThat(line).contains(
                "{\"event\":\"stream-opened\",\"operator\":\"logged\",\"shard\":0,\"version\":1,\"client\":\"raw-test\",\"job\":\"job-1\""));
        assertThat(printed).anySatisfy(line -> assertThat(line).contains("{\"event\":\"swap\",\"operator\":\"logged\",\"shard\":0,\"version\":2"));
        assertThat(printed).anySatisfy(line -> assertThat(line).contains("{\"event\":\"update\",\"operator\":\"logged\",\"version\":2}"));
        assertThat(printed).anySatisfy(line -> assertThat(line).contains("{\"event\":\"stream-refused\",\"code\":\"UNKNOWN_OPERATOR\""));
        assertThat(printed).anySatisfy(line -> assertThat(line).contains("{\"event\":\"undeploy\",\"operator\":\"logged\",\"version\":2}"));
    }
}
