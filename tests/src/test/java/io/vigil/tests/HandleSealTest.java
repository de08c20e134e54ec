package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.proto.StreamError;
import io.vigil.examples.fraud.FraudRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state handle carries its host's seal over the operator, shard, job and store it names: the
 * handle the host acknowledged restores, in a new attempt of the job or in a job started from it;
 * one altered to name another job, or forged without the seal, restores nothing and names why.
 */
class HandleSealTest {
    @TempDir
    Path state;

    @Test
    void onlyAHandleTheHostSealedRestores() throws Exception {
        try (TestHosts.Connected host = TestHosts.stateful(state)) {
            host.control().deploy(FraudRules.spec("sealed", OperatorFeedsTest.ALL, 1));
            ByteString acknowledged;
            try (RawStream stream = new RawStream(host.channel()).open("sealed", 0, DataPlaneErrorsTest.TXN, "job-a", "job-a/attempt-0")) {
                HostFrame opened = stream.next();
                assertThat(opened.getOpened().getHandleSeal()).as("the seal a client writes its own handles with").isNotEmpty();
                stream.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
                assertThat(stream.next().hasResults()).isTrue();
                stream.barrier(1);
                acknowledged = stream.next().getBarrierAck().getHandle();
                StateHandle handle = StateHandle.parseFrom(acknowledged);
                assertThat(handle.getSeal()).isEqualTo(opened.getOpened().getHandleSeal());
                // Gone from the shard before the next opens: else the shard is still job-a's and refuses another job.
                stream.close();
                assertThat(stream.awaitCompleted()).isTrue();
            }
            try (RawStream restored = new RawStream(host.channel()).open("sealed", 0, DataPlaneErrorsTest.TXN, acknowledged)) {
                HostFrame answer = restored.next();
                assertThat(answer.hasOpened()).as("the acknowledged handle restores: %s", answer).isTrue();
            }

            StateHandle original = StateHandle.parseFrom(acknowledged);
            ByteString otherJob = original.toBuilder().setJob("job-b").build().toByteString();
            try (RawStream refused = new RawStream(host.channel()).open("sealed", 0, DataPlaneErrorsTest.TXN, otherJob)) {
                StreamError error = refused.next().getError();
                assertThat(error.getCode()).isEqualTo(StreamError.Code.OPERATOR_FAILED);
                assertThat(error.getMessage()).contains("(job job-b) was not issued by this host's store: its seal does not match");
            }
            ByteString forged = original.toBuilder().clearSeal().build().toByteString();
            try (RawStream refused = new RawStream(host.channel()).open("sealed", 0, DataPlaneErrorsTest.TXN, forged)) {
                assertThat(refused.next().getError().getMessage()).contains("its seal is missing");
            }
        }
    }
}
