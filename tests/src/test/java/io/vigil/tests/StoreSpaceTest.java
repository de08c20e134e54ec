package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.LocalStateDirectory;
import io.vigil.runtime.FunctionHost;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store's size stays bounded while a shard checkpoints on and on: a checkpoint writes what
 * changed (not the operator's spec, which its deployment record holds once), Flink's completions
 * release the checkpoints before, the record of a deploy that is never updated is copied forward
 * instead of holding every segment after it, and an undeploy gives the operator's space back.
 */
class StoreSpaceTest {
    static final int CHECKPOINTS = 10_000;
    static final int SEGMENT_BYTES = 1 << 20;

    Path state;

    @BeforeEach
    void makeState() throws Exception {
        // tmpfs where there is one, as the demo's store: the test is about space, not the disk's flush time.
        state = LocalStateDirectory.create(LocalStateDirectory.defaultRoot(), "vigil-space");
    }

    @AfterEach
    void removeState() throws Exception {
        LocalStateDirectory.delete(state);
    }

    @Test
    void tenThousandCheckpointsOfAnOperatorWithALargeSpecKeepTheStoreBoundedAndUndeployFreesIt() throws Exception {
        // A large spec: 200 KB of source. Written per barrier, it would fill a segment every five checkpoints.
        String padding = ("// " + "x".repeat(97) + "\n").repeat(2_000);
        OperatorSpec spec = FraudRules.spec("large-spec", padding + "select txnId, cardId, amount from Txn(amount > 500.0);", 1)
                .toBuilder().setOutputSchema(io.vigil.api.codec.SchemaProtos.toProto(
                        io.vigil.api.schema.EventSchema.builder("Big")
                                .field("txnId", io.vigil.api.schema.FieldKind.STRING)
                                .field("cardId", io.vigil.api.schema.FieldKind.STRING)
                                .field("amount", io.vigil.api.schema.FieldKind.DOUBLE)
                                .build())).build();
        try (FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .stateDirectory(state).storeSize(SEGMENT_BYTES, 256L << 20).build().start()) {
            ManagedChannel channel = TestHosts.channel(host);
            TestHosts.control(channel).deploy(spec);
            long most = 0;
            try (RawStream stream = new RawStream(channel).open("large-spec", 0, FraudRules.TRANSACTION)) {
                assertThat(stream.next().hasOpened()).isTrue();
                for (int checkpoint = 1; checkpoint <= CHECKPOINTS; checkpoint++) {
                    stream.send(batch(checkpoint), checkpoint);
                    assertThat(stream.next().hasResults()).isTrue();
                    stream.checkpoint(checkpoint);
                    stream.checkpointComplete(checkpoint);
                    most = Math.max(most, host.store().bytesOnDisk());
                }
            }
            assertThat(most).as("the most the store held over %,d checkpoints", CHECKPOINTS).isLessThanOrEqualTo(4L * SEGMENT_BYTES);

            TestHosts.control(channel).undeploy("large-spec");
            assertThat(host.store().checkpoints()).as("nothing of the undeployed operator is retained").isEmpty();
            assertThat(host.store().bytesOnDisk()).isLessThanOrEqualTo(2L * SEGMENT_BYTES);
            channel.shutdownNow();
        }
    }

    private static ColumnarBatch batch(int index) {
        ColumnarBatch batch = new ColumnarBatch(FraudRules.TRANSACTION, 8);
        for (int i = 0; i < 8; i++) {
            long ts = 1_700_000_000_000L + index * 1_000L + i;
            int row = batch.addRow(ts, index * 8L + i);
            batch.setString(0, row, "t" + index + "-" + i);
            batch.setString(1, row, "card-" + (i % 3));
            batch.setString(2, row, "m");
            batch.setDouble(3, row, i * 100.0);
            batch.setDouble(4, row, 0);
            batch.setDouble(5, row, 0);
            batch.setLong(6, row, ts);
        }
        return batch;
    }
}
