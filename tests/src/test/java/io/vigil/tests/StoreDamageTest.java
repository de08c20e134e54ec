package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.proto.StreamError;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.state.CheckpointStore;
import io.vigil.state.RecordAddress;
import io.vigil.state.StoreOptions;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store keeps, it keeps or says so. A byte changed in a checkpoint a job holds a handle to
 * stops the host from starting, naming the checkpoint; told to discard the damage, the host keeps
 * every intact checkpoint, and the job's handle to the lost one fails its restore by name instead
 * of restoring an empty operator. A handle from a store made anew is refused the same way.
 */
class StoreDamageTest {
    @TempDir
    Path state;
    @TempDir
    Path recreated;

    @Test
    void aDamagedCheckpointStopsTheHostUntilToldThenItsHandleFailsTheRestoreByName() throws Exception {
        List<List<ColumnarBatch>> batches = HostCrashRecoveryTest.batchesPerShard();
        List<ByteString> handles = new ArrayList<>();
        try (HostProcess host = HostProcess.start(state)) {
            ManagedChannel channel = HostCrashRecoveryTest.channel(host);
            new ControlPlaneClient(channel, Duration.ofSeconds(60)).deploy(FraudRules.spec(HostCrashRecoveryTest.SHARDS));
            List<RawStream> streams = HostCrashRecoveryTest.openAll(channel, List.of());
            HostCrashRecoveryTest.sendRange(streams, batches, 0, 5_000);
            for (RawStream stream : streams) {
                handles.add(stream.checkpoint(7));
            }
            host.kill();
            channel.shutdownNow();
        }

        StateHandle lost = StateHandle.parseFrom(handles.get(0));
        flipAByteOfTheFirstRecordOf(lost.getStoreCheckpoint());

        String refused = HostProcess.refusedStart(state);
        assertThat(refused).startsWith("exit 1").contains("is damaged")
                .contains("checkpoint " + lost.getStoreCheckpoint() + " (shard/0:0-" + io.vigil.api.keys.KeyGroups.firstKeyGroup(1, HostCrashRecoveryTest.SHARDS) + "/" + FraudRules.OPERATOR + ")")
                .contains("--discard-damaged-checkpoints");

        try (HostProcess host = HostProcess.startWith(state, "--discard-damaged-checkpoints")) {
            ManagedChannel channel = HostCrashRecoveryTest.channel(host);
            assertThat(new ControlPlaneClient(channel, Duration.ofSeconds(60)).list()).as("the operator's records are intact")
                    .extracting(o -> o.getSpec().getName()).containsExactly(FraudRules.OPERATOR);
            HostFrame shard0 = new RawStream(channel).open(FraudRules.OPERATOR, 0, FraudRules.TRANSACTION, handles.get(0)).next();
            assertThat(shard0.hasError()).as("restoring the lost checkpoint: %s", shard0).isTrue();
            assertThat(shard0.getError().getCode()).isEqualTo(StreamError.Code.OPERATOR_FAILED);
            assertThat(shard0.getError().getMessage()).contains("checkpoint 7 of operator '" + FraudRules.OPERATOR + "' shard 0")
                    .contains("is not in the state store");
            HostFrame shard1 = new RawStream(channel).open(FraudRules.OPERATOR, 1, FraudRules.TRANSACTION, handles.get(1)).next();
            assertThat(shard1.hasOpened()).as("the intact checkpoint of shard 1 restores: %s", shard1).isTrue();
            channel.shutdownNow();
        }

        try (HostProcess host = HostProcess.start(recreated)) {
            ManagedChannel channel = HostCrashRecoveryTest.channel(host);
            new ControlPlaneClient(channel, Duration.ofSeconds(60)).deploy(FraudRules.spec(HostCrashRecoveryTest.SHARDS));
            List<StateHandle> anew = new ArrayList<>();
            for (int s = 0; s < HostCrashRecoveryTest.SHARDS; s++) {
                try (RawStream stream = new RawStream(channel).open(FraudRules.OPERATOR, s, FraudRules.TRANSACTION)) {
                    assertThat(stream.next().hasOpened()).isTrue();
                    anew.add(StateHandle.parseFrom(stream.checkpoint(7)));
                }
            }
            // A new store numbers its checkpoints from the start again: the old handle names the same
            // store checkpoint, of the same operator, shard and Flink checkpoint, but of other state.
            assertThat(anew.get(1).getStoreCheckpoint()).isEqualTo(StateHandle.parseFrom(handles.get(1)).getStoreCheckpoint());
            HostFrame stale = new RawStream(channel).open(FraudRules.OPERATOR, 1, FraudRules.TRANSACTION, handles.get(1)).next();
            assertThat(stale.hasError()).as("a handle of the store before: %s", stale).isTrue();
            assertThat(stale.getError().getMessage()).contains("checkpoint 7 of operator '" + FraudRules.OPERATOR + "' shard 1")
                    .contains("was taken in another state store");
            channel.shutdownNow();
        }
    }

    private void flipAByteOfTheFirstRecordOf(long storeCheckpoint) throws Exception {
        RecordAddress meta;
        try (CheckpointStore store = CheckpointStore.open(state, new StoreOptions(64 << 20, 8L << 30, 3))) {
            meta = store.checkpoint(storeCheckpoint).orElseThrow().records().get(0);
        }
        try (RandomAccessFile segment = new RandomAccessFile(state.resolve(String.format("segment-%08d.vgl", meta.segment())).toFile(), "rw")) {
            long at = meta.offset() + 24 + meta.length() / 2;
            segment.seek(at);
            int original = segment.read();
            segment.seek(at);
            segment.write(original ^ 0x10);
        }
    }
}
