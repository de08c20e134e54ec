package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.SwapReport;
import io.vigil.api.proto.TakeOver;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.ResultBatch;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An update takes effect in place: the new version replays the input log the host keeps, so what
 * the old version had seen still counts, and every result after the switch names the new version.
 */
class SwapStateTest {
    static final String RULE = "@name('S') select 'SMALL_THEN_LARGE' as rule, b.cardId as cardId, b.txnId as txnId, "
            + "b.amount as amount, b.ts as ts from pattern [every a=Txn(amount < 2.00) "
            + "-> b=Txn(cardId = a.cardId, amount >= LARGE) where timer:within(1 day)]";

    @TempDir
    Path state;

    FunctionHost host;
    ManagedChannel channel;
    ControlPlaneClient control;

    @BeforeEach
    void start() throws Exception {
        host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).stateDirectory(state).build().start();
        channel = TestHosts.channel(host);
        control = TestHosts.control(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        host.close();
    }

    static OperatorSpec spec(String name, double large, String swapState) {
        OperatorSpec.Builder spec = FraudRules.spec(name, RULE.replace("LARGE", String.valueOf(large)), 1).toBuilder();
        if (swapState != null) {
            spec.putOptions("swap-state", swapState);
        }
        return spec.build();
    }

    @Test
    void aTighterThresholdAppliesToStateSeenBeforeTheSwap() throws Exception {
        control.deploy(spec("carried", 500, null));
        try (RawStream stream = new RawStream(channel).open("carried", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();

            assertThat(control.update(spec("carried", 200, null)).getVersion()).isEqualTo(2);
            assertReplayed(control.describe("carried").getShards(0).getLastSwap(), 2);

            stream.send(batch(2, "c1", 300.00, 2_000), 2);
            ResultBatch results = stream.next().getResults();
            assertThat(results.getVersion()).as("results name the version that produced them").isEqualTo(2);
            assertThat(results.getRowCount()).as("v2 sees the small charge v1 saw").isEqualTo(1);
            assertThat(results.getColumns(2).getStrings(0)).isEqualTo("t2");
        }
    }

    @Test
    void statementsAnUpdateLeavesUnchangedKeepRunningWithTheirState() throws Exception {
        String big = "@name('BIG') select 'BIG' as rule, cardId, txnId, amount, ts from Txn(amount >= LIMIT);\n";
        OperatorSpec v1 = FraudRules.spec("partial", RULE.replace("LARGE", "200") + ";\n" + big.replace("LIMIT", "1000"), 1);
        control.deploy(v1);
        try (RawStream stream = new RawStream(channel).open("partial", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();

            control.update(v1.toBuilder().setSource(RULE.replace("LARGE", "200") + ";\n" + big.replace("LIMIT", "250")).build());
            SwapReport partial = control.describe("partial").getShards(0).getLastSwap();
            assertThat(partial.getTakenOver()).isEqualTo(TakeOver.newBuilder().setUnit("statement groups").setCount(1).setOf(2).build());
            assertThat(partial.getReplayed()).as("nothing else to replay").isFalse();

            stream.send(batch(2, "c1", 300.00, 2_000), 2);
            ResultBatch results = stream.next().getResults();
            assertThat(results.getVersion()).isEqualTo(2);
            assertThat(results.getColumns(0).getStringsList()).as("the pattern kept the small charge; the new limit applies")
                    .containsExactlyInAnyOrder("SMALL_THEN_200", "BIG");
        }
    }

    @Test
    void aFreshSwapStartsWithEmptyState() throws Exception {
        control.deploy(spec("fresh", 500, "fresh"));
        try (RawStream stream = new RawStream(channel).open("fresh", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(batch(1, "c1", 1.00, 1_000), 1);
            assertThat(stream.next().getResults().getRowCount()).isZero();

            control.update(spec("fresh", 200, "fresh"));
            SwapReport fresh = control.describe("fresh").getShards(0).getLastSwap();
            assertThat(fresh.getVersion()).isEqualTo(2);
            assertThat(fresh.getStateCarried()).as("started with empty state").isFalse();

            stream.send(batch(2, "c1", 300.00, 2_000), 2);
            ResultBatch results = stream.next().getResults();
            assertThat(results.getVersion()).isEqualTo(2);
            assertThat(results.getRowCount()).isZero();
        }
    }

    @Test
    void aCheckpointTakenBeforeAnUpdateRestoresIntoTheUpdatedVersionWithItsState() throws Exception {
        control.deploy(spec("restored", 500, null));
        com.google.protobuf.ByteString handle;
        try (RawStream stream = new RawStream(channel).open("restored", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(batch(1, "c1", 1.00, 1_000), 1);
            stream.next();
            handle = stream.checkpoint(1);
            stream.send(batch(2, "c2", 1.00, 1_500), 2);
            stream.next();
        }
        control.update(spec("restored", 200, null));

        // The job fails and restores from checkpoint 1, taken by version 1.
        try (RawStream stream = new RawStream(channel).open("restored", 0, FraudRules.TRANSACTION, handle)) {
            assertThat(stream.next().getOpened().getVersion()).isEqualTo(2);
            SwapReport restored = control.describe("restored").getShards(0).getLastSwap();
            assertRestored(restored, 2, 1);
            assertThat(restored.getRestoredCheckpoint()).isEqualTo(1);
            stream.send(batch(2, "c1", 300.00, 2_000), 2);
            ResultBatch results = stream.next().getResults();
            assertThat(results.getVersion()).isEqualTo(2);
            assertThat(results.getRowCount()).as("version 2 holds the state of checkpoint 1").isEqualTo(1);
            stream.send(batch(3, "c2", 300.00, 2_500), 3);
            assertThat(stream.next().getResults().getRowCount())
                    .as("nothing after checkpoint 1 is in the restored state").isZero();
        }
    }

    @Test
    void aFreshVersionsCheckpointHoldsNothingFromBeforeItsSwap() throws Exception {
        control.deploy(spec("fresh-restored", 500, "fresh"));
        com.google.protobuf.ByteString handle;
        try (RawStream stream = new RawStream(channel).open("fresh-restored", 0, FraudRules.TRANSACTION)) {
            stream.next();
            stream.send(batch(1, "c1", 1.00, 1_000), 1);
            stream.next();
            control.update(spec("fresh-restored", 200, "fresh"));
            handle = stream.checkpoint(1);
        }
        try (RawStream stream = new RawStream(channel).open("fresh-restored", 0, FraudRules.TRANSACTION, handle)) {
            stream.next();
            stream.send(batch(2, "c1", 300.00, 2_000), 2);
            assertThat(stream.next().getResults().getRowCount())
                    .as("version 2 never saw the small charge, so its restored state must not either").isZero();
        }
    }

    @Test
    void aRestartedHostRunsTheVersionLastUpdatedTo() throws Exception {
        control.deploy(spec("lasting", 500, null));
        control.update(spec("lasting", 200, null));
        control.update(spec("lasting", 500, null));
        channel.shutdownNow();
        host.close();

        host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).stateDirectory(state).build().start();
        channel = TestHosts.channel(host);
        control = TestHosts.control(channel);
        var status = control.describe("lasting");
        assertThat(status.getVersion()).isEqualTo(3);
        assertThat(status.getSpec().getSource()).contains(">= 500.0");

        control.undeploy("lasting");
        channel.shutdownNow();
        host.close();
        host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).stateDirectory(state).build().start();
        channel = TestHosts.channel(host);
        control = TestHosts.control(channel);
        assertThat(control.list()).as("an undeployed operator stays undeployed").isEmpty();
    }

    @Test
    void operatorsWhoseStoreGroupsWouldCollideAsHashesKeepTheirCheckpointsApart() throws Exception {
        assertThat(java.util.Objects.hash("aaan", 0)).as("what the store keyed groups by before").isEqualTo(java.util.Objects.hash("aac0", 0));
        control.deploy(spec("aaan", 200, null));
        control.deploy(spec("aac0", 200, null));
        com.google.protobuf.ByteString kept;
        try (RawStream keeper = new RawStream(channel).open("aac0", 0, FraudRules.TRANSACTION)) {
            keeper.next();
            keeper.send(batch(1, "c1", 1.00, 1_000), 1);
            keeper.next();
            kept = keeper.checkpoint(1);
        }
        try (RawStream churner = new RawStream(channel).open("aaan", 0, FraudRules.TRANSACTION)) {
            churner.next();
            for (long id = 1; id <= 6; id++) {
                churner.send(batch(id, "a" + id, 1.00, 1_000 * id), id);
                churner.next();
                churner.checkpoint(id);
                churner.checkpointComplete(id);
            }
        }
        try (RawStream keeper = new RawStream(channel).open("aac0", 0, FraudRules.TRANSACTION, kept)) {
            assertThat(keeper.next().hasOpened()).as("aac0's checkpoint outlived aaan's retention and releases").isTrue();
            keeper.send(batch(2, "c1", 300.00, 2_000), 2);
            assertThat(keeper.next().getResults().getRowCount()).as("restored with the small charge it held").isEqualTo(1);
        }
    }

    /** An update to {@code version} that carried state by replaying the input log. */
    static void assertReplayed(SwapReport report, long version) {
        assertThat(report.getCause()).isEqualTo(SwapReport.Cause.UPDATE);
        assertThat(report.getVersion()).isEqualTo(version);
        assertThat(report.getStateCarried()).as("state carried").isTrue();
        assertThat(report.getReplayed()).as("by replaying the input log").isTrue();
    }

    /** A checkpoint of {@code fromVersion} restored into {@code version}, its state carried. */
    static void assertRestored(SwapReport report, long version, long fromVersion) {
        assertThat(report.getCause()).isEqualTo(SwapReport.Cause.RESTORE);
        assertThat(report.getVersion()).isEqualTo(version);
        assertThat(report.getFromVersion()).isEqualTo(fromVersion);
        assertThat(report.getStateCarried()).as("state carried").isTrue();
    }

    static ColumnarBatch batch(long sequence, String card, double amount, long ts) {
        ColumnarBatch batch = new ColumnarBatch(FraudRules.TRANSACTION, 1);
        int row = batch.addRow(ts, sequence);
        batch.setString(0, row, "t" + sequence);
        batch.setString(1, row, card);
        batch.setString(2, row, "m");
        batch.setDouble(3, row, amount);
        batch.setDouble(4, row, 0);
        batch.setDouble(5, row, 0);
        batch.setLong(6, row, ts);
        return batch;
    }
}
