package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.vigil.api.batch.ColumnarBatch;
import io.vigil.api.keys.KeyGroups;
import io.vigil.api.proto.Column;
import io.vigil.api.proto.StreamError;
import io.vigil.api.proto.EventBatch;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input on the data plane gets a clear error, and the host keeps serving everyone else. */
class DataPlaneErrorsTest {
    static final String ALL = "select 'ALL' as rule, cardId, txnId, amount, ts from Txn";
    static final EventSchema TXN = FraudRules.TRANSACTION;

    FunctionHost host;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        host = TestHosts.start(Duration.ofMillis(500));
        channel = TestHosts.channel(host);
        TestHosts.control(channel).deploy(FraudRules.spec("all", ALL, 1));
        TestHosts.control(channel).deploy(FraudRules.spec("sharded", ALL, 4));
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        host.close();
    }

    @Test
    void aStreamForAnUnknownOperatorIsRefused() throws Exception {
        try (RawStream stream = new RawStream(channel).open("nope", 0, TXN)) {
            StreamError error = stream.next().getError();
            assertThat(error.getCode()).isEqualTo(StreamError.Code.UNKNOWN_OPERATOR);
            assertThat(error.getMessage()).contains("operator 'nope' is not deployed");
            assertThat(stream.awaitCompleted()).isTrue();
        }
    }

    @Test
    void aStreamForAShardThatDoesNotExistIsRefused() throws Exception {
        try (RawStream stream = new RawStream(channel).open("sharded", 4, TXN)) {
            StreamError error = stream.next().getError();
            assertThat(error.getCode()).isEqualTo(StreamError.Code.BAD_SHARD);
            assertThat(error.getMessage()).contains("shards 0..3");
        }
    }

    @Test
    void aStreamWhoseSchemaDiffersIsRefusedNamingTheField() throws Exception {
        EventSchema wrong = EventSchema.builder("Txn")
                .field("txnId", FieldKind.STRING)
                .field("cardId", FieldKind.STRING)
                .field("merchantId", FieldKind.STRING)
                .field("amount", FieldKind.STRING)
                .field("lat", FieldKind.DOUBLE)
                .field("lon", FieldKind.DOUBLE)
                .field("ts", FieldKind.TIMESTAMP)
                .build();
        try (RawStream stream = new RawStream(channel).open("all", 0, wrong)) {
            StreamError error = stream.next().getError();
            assertThat(error.getCode()).isEqualTo(StreamError.Code.SCHEMA_MISMATCH);
            assertThat(error.getMessage()).contains("field 4 is 'amount STRING', expected 'amount DOUBLE'");
        }
    }

    @Test
    void aBatchThatDoesNotMatchTheSchemaIsRejectedAndOthersAreStillServed() throws Exception {
        try (RawStream bad = new RawStream(channel).open("all", 0, TXN);
             RawStream good = new RawStream(channel).open("all", 0, TXN)) {
            assertThat(bad.next().hasOpened()).isTrue();
            assertThat(good.next().hasOpened()).isTrue();

            EventBatch valid = RawStream.events(transactions(0, "c1", "c2"), 1);
            EventBatch amountsAsStrings = valid.toBuilder()
                    .setColumns(3, Column.newBuilder().addStrings("12.5").addStrings("13.0"))
                    .build();
            bad.send(amountsAsStrings);
            StreamError error = bad.next().getError();
            assertThat(error.getCode()).isEqualTo(StreamError.Code.BAD_BATCH);
            assertThat(error.getMessage()).contains("column 'amount' must hold 2 DOUBLE values, it holds STRING values");
            assertThat(error.getBatchId()).isEqualTo(1);
            assertThat(bad.awaitCompleted()).isTrue();

            EventBatch nullKey = valid.toBuilder()
                    .setColumns(1, valid.getColumns(1).toBuilder().setNulls(com.google.protobuf.ByteString.copyFrom(new byte[] {1})))
                    .build();
            try (RawStream nulls = new RawStream(channel).open("all", 0, TXN)) {
                assertThat(nulls.next().hasOpened()).isTrue();
                nulls.send(nullKey);
                assertThat(nulls.next().getError().getMessage()).contains("field 'cardId' is not nullable but row 0 is null");
            }

            good.send(valid);
            HostFrame answer = good.next();
            assertThat(answer.getResults().getBatchId()).isEqualTo(1);
            assertThat(answer.getResults().getRowCount()).isEqualTo(2);
            assertThat(answer.getResults().getVersion()).isEqualTo(1);
        }
    }

    @Test
    void eventsSentToTheWrongShardAreRejected() throws Exception {
        String key = keyOwnedBy(1, 4);
        try (RawStream stream = new RawStream(channel).open("sharded", 0, TXN)) {
            assertThat(stream.next().hasOpened()).isTrue();
            stream.send(transactions(0, key), 1);
            StreamError error = stream.next().getError();
            assertThat(error.getCode()).isEqualTo(StreamError.Code.BAD_BATCH);
            assertThat(error.getMessage()).contains("which shard 1 owns, not shard 0");
        }
    }

    @Test
    void aClientThatOverdrawsItsCreditsIsStopped() throws Exception {
        try (RawStream stream = new RawStream(channel).open("all", 0, TXN)) {
            int credits = stream.next().getOpened().getCredits();
            // Batches big enough that the host is still on the first while the last ones arrive.
            String[] cards = new String[20_000];
            java.util.Arrays.setAll(cards, i -> "c" + i);
            EventBatch big = RawStream.events(transactions(1, cards), 1);
            for (int i = 1; i <= credits + 5; i++) {
                stream.send(big.toBuilder().setId(i).build());
            }
            HostFrame frame;
            do {
                frame = stream.next();
            } while (frame.hasResults());
            assertThat(frame.getError().getCode()).isEqualTo(StreamError.Code.PROTOCOL);
            assertThat(frame.getError().getMessage()).contains("more than its " + credits + " credits");
        }
    }

    @Test
    void closingTheHostAnswersEveryAcceptedBatchFirst() throws Exception {
        RawStream stream = new RawStream(channel).open("all", 0, TXN);
        int credits = stream.next().getOpened().getCredits();
        for (int i = 1; i <= credits; i++) {
            stream.send(transactions(i * 10L, "a" + i, "b" + i), i);
        }
        Thread closer = new Thread(host::close);
        closer.start();
        for (int i = 1; i <= credits; i++) {
            HostFrame frame = stream.next();
            assertThat(frame.getResults().getBatchId()).isEqualTo(i);
            assertThat(frame.getResults().getRowCount()).isEqualTo(2);
        }
        assertThat(stream.next().getError().getCode()).isEqualTo(StreamError.Code.SHUTTING_DOWN);
        closer.join();
    }

    static ColumnarBatch transactions(long firstSequence, String... cards) {
        ColumnarBatch batch = new ColumnarBatch(TXN, cards.length);
        long sequence = firstSequence;
        for (String card : cards) {
            int row = batch.addRow(1_000 + sequence, sequence++);
            batch.setString(0, row, "t" + sequence);
            batch.setString(1, row, card);
            batch.setString(2, row, "m");
            batch.setDouble(3, row, 12.5);
            batch.setDouble(4, row, 1.0);
            batch.setDouble(5, row, 2.0);
            batch.setLong(6, row, 1_000 + sequence);
        }
        return batch;
    }

    static String keyOwnedBy(int shard, int shards) {
        for (int i = 0; ; i++) {
            if (KeyGroups.shardOf(KeyGroups.of("k" + i), shards) == shard) {
                return "k" + i;
            }
        }
    }
}
