package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.vigil.api.client.OperatorPool;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.api.proto.ShardStatus;
import io.vigil.api.proto.StreamError;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import io.vigil.runtime.cli.OperatorCommands;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's shards spread over a pool of two hosts: each serves the shards the placement gives
 * it, knows where the others run, and comes back with its part after a restart; the pool's control
 * plane acts on every host the placement names.
 */
class OperatorPoolTest {
    static final String ALL = "select 'ALL' as rule, cardId, txnId, amount, ts from Txn";

    @TempDir
    Path firstState;

    FunctionHost first;
    FunctionHost second;
    String pool;

    @BeforeEach
    void start() throws Exception {
        first = host(firstState, 0);
        second = host(null, 0);
        pool = first.endpoint() + "," + second.endpoint();
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
    }

    private static FunctionHost host(Path state, int port) throws Exception {
        var settings = FunctionHost.builder().loopback().port(port).pluginsDirectory(TestHosts.plugins());
        return (state == null ? settings : settings.stateDirectory(state)).build().start();
    }

    @Test
    void aDeploySpreadsTheShardsAndEveryHostServesOnlyItsOwn() throws Exception {
        try (OperatorPool control = TestHosts.pool(pool)) {
            OperatorStatus deployed = control.deploy(FraudRules.spec("spread", ALL, 4));
            assertThat(deployed.getPlacement().getEpoch()).isEqualTo(1);
            assertThat(deployed.getPlacement().getShardsList()).extracting(ShardPlacement::getHost)
                    .containsExactly(first.endpoint(), second.endpoint(), first.endpoint(), second.endpoint());
            assertThat(deployed.getPlacement().getShardsList()).extracting(ShardPlacement::getFirstKeyGroup)
                    .containsExactly(0, 32, 64, 96);
            assertThat(deployed.getShardsList()).extracting(ShardStatus::getShard).containsExactly(0, 1, 2, 3);

            OperatorStatus onFirst = control.host(first.endpoint()).describe("spread");
            assertThat(onFirst.getShardsList()).extracting(ShardStatus::getShard).containsExactly(0, 2);
            assertThat(onFirst.getPlacement()).isEqualTo(deployed.getPlacement());
            assertThat(control.host(second.endpoint()).describe("spread").getShardsList()).extracting(ShardStatus::getShard)
                    .containsExactly(1, 3);

            OperatorStatus updated = control.update(FraudRules.spec("spread", ALL.replace("'ALL'", "'ALL2'"), 4));
            assertThat(updated.getShardsList()).extracting(ShardStatus::getVersion).containsOnly(2L);
            assertThat(control.host(second.endpoint()).describe("spread").getVersion()).isEqualTo(2);

            assertThat(control.undeploy("spread").getName()).isEqualTo("spread");
            assertThat(control.host(first.endpoint()).list()).isEmpty();
            assertThat(control.host(second.endpoint()).list()).isEmpty();
        }
    }

    @Test
    void aStreamOpenedAtTheWrongHostIsToldWhereTheShardRuns() throws Exception {
        try (OperatorPool control = TestHosts.pool(pool)) {
            control.deploy(FraudRules.spec("spread", ALL, 2));
        }
        ManagedChannel channel = TestHosts.channel(first);
        try (RawStream stream = new RawStream(channel).open("spread", 1, FraudRules.TRANSACTION)) {
            StreamError error = stream.next().getError();
            assertThat(error.getCode()).isEqualTo(StreamError.Code.SHARD_ELSEWHERE);
            assertThat(error.getMessage()).contains("shard 1 runs on host " + second.endpoint()).contains("epoch 1");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aHostThatRefusesUndoesTheDeployOnTheOthers() throws Exception {
        try (OperatorPool control = TestHosts.pool(pool)) {
            control.host(second.endpoint()).deploy(FraudRules.spec("taken", ALL, 1));
            assertThatThrownBy(() -> control.deploy(FraudRules.spec("taken", ALL, 2)))
                    .isInstanceOf(OperatorRejectedException.class)
                    .hasMessageContaining("host " + second.endpoint() + ": operator 'taken' is already deployed");
            assertThat(control.host(first.endpoint()).list()).as("the first host undeployed its part again").isEmpty();
        }
    }

    @Test
    void aRestartedHostServesItsPartOfThePlacementAgain() throws Exception {
        try (OperatorPool control = TestHosts.pool(pool)) {
            control.deploy(FraudRules.spec("spread", ALL, 2));
        }
        int port = first.port();
        first.close();
        first = host(firstState, port);
        try (OperatorPool control = TestHosts.pool(pool)) {
            OperatorStatus status = control.describe("spread");
            assertThat(status.getShardsList()).extracting(ShardStatus::getShard).containsExactly(0, 1);
            assertThat(control.host(first.endpoint()).describe("spread").getShardsList()).extracting(ShardStatus::getShard)
                    .containsExactly(0);
            assertThat(status.getPlacement().getShards(0).getHost()).isEqualTo(first.endpoint());
        }
    }

    /**
     * A rescale while a job's stream is open is live: the shard asks the stream where its client
     * can cut over, tells it the checkpoint to cut at once every stream has answered, and serves
     * it (Describe says where the cut-over is under way) until the stream has moved.
     */
    @Test
    void aLiveRescaleAsksTheStreamsWhereToCutOverAndTheShardsBeforeServeThemUntilTheyMove() throws Exception {
        try (OperatorPool control = TestHosts.pool(pool)) {
            control.deploy(FraudRules.spec("moving", ALL, 2));
            ManagedChannel channel = TestHosts.channel(first);
            try (RawStream stream = new RawStream(channel).open("moving", 0, FraudRules.TRANSACTION, "job-1", "job-1/attempt-0")) {
                assertThat(stream.next().hasOpened()).isTrue();
                OperatorStatus moved = control.rescale("moving", 2, List.of(second.endpoint(), first.endpoint()));
                assertThat(moved.getPlacement().getShardsList()).extracting(ShardPlacement::getHost)
                        .containsExactly(second.endpoint(), first.endpoint());

                var asked = stream.next().getPlacementChange();
                assertThat(asked.getEpoch()).isEqualTo(2);
                assertThat(asked.getSwitchAt()).as("asked where it can cut").isZero();
                assertThat(asked.getPlacement()).isEqualTo(moved.getPlacement());
                stream.send(io.vigil.api.proto.ClientFrame.newBuilder().setPlacementReady(
                        io.vigil.api.proto.PlacementReady.newBuilder().setEpoch(2).setNextBarrier(7)).build());
                assertThat(stream.next().getPlacementChange().getSwitchAt()).as("the one stream's answer decides").isEqualTo(7);
                assertThat(control.describe("moving").getCuttingOverOnList()).containsExactly(first.endpoint());
            }
            TestHosts.await(() -> "the shard before stops once its stream has gone", java.time.Duration.ofSeconds(10),
                    () -> control.describe("moving").getCuttingOverOnCount() == 0);
            channel.shutdownNow();
        }
    }

    /** A SiddhiQL app's snapshot cannot be split by key group: its operator moves between hosts, but keeps its shard count. */
    @Test
    void anOperatorWhoseStateCannotBeSplitMovesButKeepsItsShardCount() throws Exception {
        try (OperatorPool control = TestHosts.pool(pool)) {
            control.deploy(io.vigil.examples.fraud.functions.RuleLanguage.SIDDHI.spec("siddhi-large", "velocity", 2, null));
            assertThat(control.describe("siddhi-large").getSplitsByKeyGroup()).isFalse();
            assertThatThrownBy(() -> control.rescale("siddhi-large", 4, List.of()))
                    .isInstanceOfSatisfying(OperatorRejectedException.class,
                            e -> assertThat(e.code()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION))
                    .hasMessageContaining("cannot be split by key group").hasMessageContaining("cannot go to 4");
            assertThat(control.describe("siddhi-large").getPlacement().getEpoch()).as("nothing changed").isEqualTo(1);
            OperatorStatus moved = control.rescale("siddhi-large", 2, List.of(second.endpoint(), first.endpoint()));
            assertThat(moved.getPlacement().getShardsList()).extracting(ShardPlacement::getHost)
                    .containsExactly(second.endpoint(), first.endpoint());
            assertThat(control.describe("siddhi-large").getSplitsByKeyGroup())
                    .isFalse();
        }
    }

    /**
     * A rescale with a host of the pool down changes nothing and names the host; once the host is
     * back (on its store) the rescale goes through, and a host restarted after it serves the new
     * placement.
     */
    @Test
    void aRescaleWithAHostDownChangesNothingAndGoesThroughOnceItIsBack() throws Exception {
        try (OperatorPool control = TestHosts.pool(pool)) {
            control.deploy(FraudRules.spec("spread", ALL, 2));
        }
        int port = first.port();
        String down = first.endpoint();
        first.close();
        try (OperatorPool control = TestHosts.pool(pool)) {
            assertThatThrownBy(() -> control.rescale("spread", 4, List.of(down, second.endpoint())))
                    .isInstanceOf(OperatorRejectedException.class).hasMessageContaining("host " + down);
            assertThat(control.host(second.endpoint()).describe("spread").getPlacement().getEpoch()).as("nothing changed").isEqualTo(1);
        }
        first = host(firstState, port);
        try (OperatorPool control = TestHosts.pool(pool)) {
            OperatorStatus rescaled = control.rescale("spread", 4, List.of(first.endpoint(), second.endpoint()));
            assertThat(rescaled.getPlacement().getEpoch()).isEqualTo(2);
            assertThat(rescaled.getShardsList()).extracting(ShardStatus::getShard).containsExactly(0, 1, 2, 3);
        }
        first.close();
        first = host(firstState, port);
        try (OperatorPool control = TestHosts.pool(pool)) {
            OperatorStatus onFirst = control.host(first.endpoint()).describe("spread");
            assertThat(onFirst.getPlacement().getEpoch()).as("the restarted host recorded the rescale").isEqualTo(2);
            assertThat(onFirst.getShardsList()).extracting(ShardStatus::getShard).containsExactly(0, 2);
        }
    }

    @Test
    void theCommandLineTakesAPool() throws Exception {
        String spec = OperatorCommandsTest.SAMPLE.toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(OperatorCommands.run(new String[] {"deploy", "-f", spec, "--host", pool}, variable -> null, outStream, errStream))
                .as(err.toString(StandardCharsets.UTF_8)).isZero();
        out.reset();
        assertThat(OperatorCommands.run(new String[] {"describe", "fraud-rules"}, variable -> variable.equals("VIGIL_HOST") ? second.endpoint() : null, outStream, errStream))
                .as("any host of the pool answers for all of it: " + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("shard 0 on " + first.endpoint() + ": version 1")
                .contains("shard 1 on " + second.endpoint() + ": version 1");
        assertThat(OperatorCommands.run(new String[] {"undeploy", "fraud-rules", "--host", second.endpoint()}, variable -> null, outStream, errStream))
                .isZero();
        assertThat(first.operators().all()).isEmpty();
        assertThat(OperatorCommands.run(new String[] {"list", "--host", pool + ","}, variable -> null, outStream, errStream)).isEqualTo(2);
    }
}
