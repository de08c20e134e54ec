package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.ResultBatch;
import io.vigil.api.proto.StateHandle;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host killed with SIGKILL after a checkpoint comes back on the same store: its operators are
 * deployed again, each shard restores the checkpoint named by the handle the stream reopens with,
 * and the events after the checkpoint produce exactly what they produced before the crash.
 */
class HostCrashRecoveryTest {
    static final int SHARDS = 2;
    static final int EVENTS = 40_000;
    static final int BEFORE_CHECKPOINT = 30_000;
    static final int BATCH = 500;

    @TempDir
    Path state;

    @Test
    void aKilledHostRestoresItsCheckpointAndReproducesTheResultsAfterIt() throws Exception {
        List<List<ColumnarBatch>> batches = batchesPerShard();
        List<String> afterCheckpoint;
        List<ByteString> handles = new ArrayList<>();
        try (HostProcess host = HostProcess.start(state)) {
            ManagedChannel channel = channel(host);
            new ControlPlaneClient(channel, Duration.ofSeconds(60)).deploy(FraudRules.spec(SHARDS));
            List<RawStream> streams = openAll(channel, List.of());
            sendRange(streams, batches, 0, BEFORE_CHECKPOINT);
            for (int s = 0; s < SHARDS; s++) {
                ByteString ack = streams.get(s).checkpoint(7);
                StateHandle handle = StateHandle.parseFrom(ack);
                assertThat(handle.getCheckpointId()).isEqualTo(7);
                assertThat(handle.getShard()).isEqualTo(s);
                handles.add(ack);
            }
            afterCheckpoint = sendRange(streams, batches, BEFORE_CHECKPOINT, EVENTS);
            assertThat(afterCheckpoint).as("alerts after the checkpoint").isNotEmpty();
            host.kill();
            channel.shutdownNow();
        }

        try (HostProcess host = HostProcess.start(state)) {
            ManagedChannel channel = channel(host);
            assertThat(new ControlPlaneClient(channel, Duration.ofSeconds(60)).list())
                    .as("operators come back from the store").extracting(o -> o.getSpec().getName()).containsExactly(FraudRules.OPERATOR);
            List<RawStream> restored = openAll(channel, handles);
            assertThat(sendRange(restored, batches, BEFORE_CHECKPOINT, EVENTS)).isEqualTo(afterCheckpoint);
            host.kill();
            channel.shutdownNow();
        }

        try (HostProcess host = HostProcess.start(state)) {
            ManagedChannel channel = channel(host);
            List<RawStream> fresh = openAll(channel, List.of());
            assertThat(sendRange(fresh, batches, BEFORE_CHECKPOINT, EVENTS))
                    .as("without restoring, state from before the checkpoint is missing")
                    .isNotEqualTo(afterCheckpoint);
            channel.shutdownNow();
        }
    }

    static ManagedChannel channel(HostProcess host) {
        return NettyChannelBuilder.forTarget(host.endpoint()).usePlaintext().build();
    }

    static List<RawStream> openAll(ManagedChannel channel, List<ByteString> handles) throws InterruptedException {
        List<RawStream> streams = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            RawStream stream = new RawStream(channel).open(FraudRules.OPERATOR, s, FraudRules.TRANSACTION,
                    handles.isEmpty() ? ByteString.EMPTY : handles.get(s));
            HostFrame opened = stream.next();
            assertThat(opened.hasOpened()).as("opened: %s", opened).isTrue();
            streams.add(stream);
        }
        return streams;
    }

    /** Sends the batches covering events [from, to) one at a time per shard; returns the alerts, in order. */
    static List<String> sendRange(List<RawStream> streams, List<List<ColumnarBatch>> batches, int from, int to)
            throws InterruptedException {
        List<String> alerts = new ArrayList<>();
        for (int b = from / BATCH; b < to / BATCH; b++) {
            for (int s = 0; s < SHARDS; s++) {
                ColumnarBatch batch = batches.get(s).get(b);
                long watermark = batch.rowCount() == 0 ? 0 : batch.timestamp(0) - 1;
                streams.get(s).send(RawStream.events(batch, b + 1, batch.rowCount() > 0, watermark));
                ResultBatch results = streams.get(s).next().getResults();
                for (int r = 0; r < results.getRowCount(); r++) {
                    alerts.add(results.getColumns(0).getStrings(r) + "/" + results.getColumns(2).getStrings(r));
                }
            }
        }
        return alerts;
    }

    /** The seeded stream cut into slices of BATCH events, each split by shard. */
    static List<List<ColumnarBatch>> batchesPerShard() {
        List<List<ColumnarBatch>> perShard = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            perShard.add(new ArrayList<>());
        }
        TransactionGenerator generator = new TransactionGenerator(3, EVENTS, 0.01, e -> { });
        long sequence = 0;
        while (generator.hasNext()) {
            if (sequence % BATCH == 0) {
                for (List<ColumnarBatch> shard : perShard) {
                    shard.add(new ColumnarBatch(FraudRules.TRANSACTION, BATCH));
                }
            }
            Transaction t = generator.next();
            int shard = KeyGroups.shardOf(KeyGroups.of(t.getCardId()), SHARDS);
            List<ColumnarBatch> slices = perShard.get(shard);
            ColumnarBatch batch = slices.get(slices.size() - 1);
            int row = batch.addRow(t.getTs(), ++sequence);
            batch.setString(0, row, t.getTxnId());
            batch.setString(1, row, t.getCardId());
            batch.setString(2, row, t.getMerchantId());
            batch.setDouble(3, row, t.getAmount());
            batch.setDouble(4, row, t.getLat());
            batch.setDouble(5, row, t.getLon());
            batch.setLong(6, row, t.getTs());
        }
        return perShard;
    }
}
