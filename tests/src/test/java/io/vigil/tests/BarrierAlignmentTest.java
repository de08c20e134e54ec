package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.proto.HostFrame;
import io.vigil.examples.fraud.FraudRules;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard fed by two streams (two Flink subtasks) takes a checkpoint once both have sent its
 * barrier, holding what each sent after it meanwhile. When Flink aborts a checkpoint after one
 * subtask sent its barrier, the other goes on to the next checkpoint without it: the shard must
 * then let the first stream go on too, or both wait for each other for ever.
 */
class BarrierAlignmentTest {
    @TempDir
    Path state;

    TestHosts.Connected host;

    @BeforeEach
    void start() throws Exception {
        host = TestHosts.stateful(state);
        host.control().deploy(FraudRules.spec("aligned", OperatorFeedsTest.ALL, 1));
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void aCheckpointOneStreamSkippedIsAbandonedAndBothStreamsAlignOnTheNext() throws Exception {
        try (RawStream first = new RawStream(host.channel()).open("aligned", 0, DataPlaneErrorsTest.TXN, "job", "job/attempt-0");
             RawStream second = new RawStream(host.channel()).open("aligned", 0, DataPlaneErrorsTest.TXN, "job", "job/attempt-0")) {
            assertThat(first.next().hasOpened()).isTrue();
            assertThat(second.next().hasOpened()).isTrue();
            first.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
            second.send(DataPlaneErrorsTest.transactions(2, "c2"), 1);
            assertThat(first.next().hasResults()).isTrue();
            assertThat(second.next().hasResults()).isTrue();

            first.barrier(4);
            first.send(DataPlaneErrorsTest.transactions(3, "c3"), 2);
            // Checkpoint 4 was aborted for the second subtask: its next barrier is 5's.
            second.barrier(5);
            HostFrame released = first.next();
            assertThat(released.hasResults()).as("the batch held behind barrier 4 is answered: %s", released).isTrue();
            assertThat(released.getResults().getBatchId()).isEqualTo(2);

            second.send(DataPlaneErrorsTest.transactions(4, "c4"), 2);
            first.barrier(5);
            HostFrame firstAck = first.next();
            assertThat(firstAck.getBarrierAck().getCheckpointId()).as("%s", firstAck).isEqualTo(5);
            // The held batch goes on as soon as the checkpoint is taken; the acknowledgement follows once it is durable.
            List<HostFrame> afterFive = List.of(second.next(), second.next());
            assertThat(afterFive).as("the second stream's acknowledgement and its batch held behind barrier 5")
                    .anySatisfy(frame -> assertThat(frame.getBarrierAck().getCheckpointId()).isEqualTo(5))
                    .anySatisfy(frame -> assertThat(frame.getResults().getBatchId()).isEqualTo(2));
        }
    }
}
