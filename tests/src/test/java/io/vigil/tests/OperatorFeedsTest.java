package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.ShardStatus;
import io.vigil.api.proto.StreamError;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator's state belongs to the job that feeds it: a second job is refused while the first
 * feeds it, a new attempt of the same job takes it over, Describe names the feed on each shard,
 * and the state of a feed that stays away longer than the idle-state retention is reclaimed.
 */
class OperatorFeedsTest {
    static final String ALL = "select 'ALL' as rule, cardId, txnId, amount, ts from Txn";

    FunctionHost host;
    ManagedChannel channel;
    ControlPlaneClient control;

    @BeforeEach
    void start() throws Exception {
        host = TestHosts.start(Duration.ofMillis(500));
        channel = TestHosts.channel(host);
        control = TestHosts.control(channel);
        control.deploy(FraudRules.spec("fed", ALL, 1).toBuilder().putOptions("idle-state-retention", "1 sec").build());
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        host.close();
    }

    @Test
    void aSecondJobIsRefusedWhileTheFirstFeedsTheOperatorAndTheFirstGoesOn() throws Exception {
        try (RawStream first = new RawStream(channel).open("fed", 0, DataPlaneErrorsTest.TXN, "job-a", "job-a/attempt-0");
             RawStream second = new RawStream(channel)) {
            assertThat(first.next().hasOpened()).isTrue();
            first.send(DataPlaneErrorsTest.transactions(1, "c1", "c2"), 1);
            assertThat(first.next().getResults().getRowCount()).isEqualTo(2);

            second.open("fed", 0, DataPlaneErrorsTest.TXN, "job-b", "job-b/attempt-0");
            StreamError refused = second.next().getError();
            assertThat(refused.getCode()).isEqualTo(StreamError.Code.OPERATOR_BUSY);
            assertThat(refused.getMessage()).contains("fed by job job-a", "job job-b may feed it once that job has ended");

            first.send(DataPlaneErrorsTest.transactions(3, "c3"), 2);
            HostFrame answer = first.next();
            assertThat(answer.hasResults()).as("the first job goes on: %s", answer).isTrue();
            ShardStatus shard = control.describe("fed").getShards(0);
            assertThat(shard.getFeed()).isEqualTo("job-a/attempt-0");
            assertThat(shard.getIdleMillis()).isZero();
            assertThat(shard.getEventsProcessed()).isEqualTo(3);
        }
    }

    @Test
    void aNewAttemptOfTheSameJobTakesTheOperatorOver() throws Exception {
        try (RawStream first = new RawStream(channel).open("fed", 0, DataPlaneErrorsTest.TXN, "job-a", "job-a/attempt-0");
             RawStream retry = new RawStream(channel)) {
            assertThat(first.next().hasOpened()).isTrue();
            retry.open("fed", 0, DataPlaneErrorsTest.TXN, "job-a", "job-a/attempt-1");
            assertThat(retry.next().hasOpened()).isTrue();
            StreamError superseded = first.next().getError();
            assertThat(superseded.getMessage()).contains("superseded", "job-a/attempt-1");
            assertThat(control.describe("fed").getShards(0).getFeed()).isEqualTo("job-a/attempt-1");
        }
    }

    @Test
    void theStateOfAFeedThatStaysAwayIsReclaimedAndAnotherJobThenStartsAfresh() throws Exception {
        try (RawStream first = new RawStream(channel).open("fed", 0, DataPlaneErrorsTest.TXN, "job-a", "job-a/attempt-0")) {
            assertThat(first.next().hasOpened()).isTrue();
            first.send(DataPlaneErrorsTest.transactions(1, "c1", "c2"), 1);
            assertThat(first.next().getResults().getRowCount()).isEqualTo(2);
        }
        TestHosts.await(() -> "the feed's state reclaimed: " + control.describe("fed").getShards(0), Duration.ofSeconds(20),
                () -> control.describe("fed").getShards(0).getFeedsReclaimed() == 1);
        ShardStatus reclaimed = control.describe("fed").getShards(0);
        assertThat(reclaimed.getFeed()).isEmpty();
        assertThat(reclaimed.getIdleMillis()).isZero();
        assertThat(reclaimed.getEventTime()).as("a fresh clock").isEqualTo(Long.MIN_VALUE);

        try (RawStream next = new RawStream(channel).open("fed", 0, DataPlaneErrorsTest.TXN, "job-b", "job-b/attempt-0")) {
            assertThat(next.next().hasOpened()).as("once the first job has ended, another may feed the operator").isTrue();
            assertThat(control.describe("fed").getShards(0).getFeed()).isEqualTo("job-b/attempt-0");
        }
    }

    @Test
    void aFeedThatClosedIsShownIdleUntilItIsReclaimed() throws Exception {
        control.deploy(FraudRules.spec("kept", ALL, 1));
        try (RawStream first = new RawStream(channel).open("kept", 0, DataPlaneErrorsTest.TXN, "job-a", "job-a/attempt-0")) {
            assertThat(first.next().hasOpened()).isTrue();
        }
        TestHosts.await(() -> "the shard idle: " + control.describe("kept").getShards(0), Duration.ofSeconds(20),
                () -> control.describe("kept").getShards(0).getIdleMillis() > 0);
        ShardStatus idle = control.describe("kept").getShards(0);
        assertThat(idle.getFeed()).isEqualTo("job-a/attempt-0");
        assertThat(idle.getFeedsReclaimed()).as("the default retention is an hour").isZero();
    }
}
