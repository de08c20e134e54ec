package io.vigil.flink.internal;

import io.vigil.api.codec.BatchFormatException;
import io.vigil.api.proto.Opened;
import io.vigil.api.wire.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answers a restored checkpoint kept because this subtask's previous attempt had received but
 * not yet emitted them, regrouped into rounds (one answer per shard, by the batch id they answered)
 * so they are emitted as those rounds would have been.
 */
final class KeptRounds {
    /** Takes one round's answers, per shard, null where a shard had none. */
    interface RoundConsumer {
        void accept(Frame[] answers) throws BatchFormatException;
    }

    // A batch id can name rounds of several previous subtasks when the job's parallelism changed.
    private final Map<Long, List<Frame[]>> rounds;

    private KeptRounds(Map<Long, List<Frame[]>> rounds) {
        this.rounds = rounds;
    }

    static KeptRounds of(Opened[] openedPerShard) throws BatchFormatException {
        Map<Long, List<Frame[]>> rounds = new TreeMap<>();
        int shards = openedPerShard.length;
        for (int shard = 0; shard < shards; shard++) {
            for (com.google.protobuf.ByteString kept : openedPerShard[shard].getKeptResultsList()) {
                Frame answer = Frame.of(kept.toByteArray());
                List<Frame[]> sameId = rounds.computeIfAbsent(answer.resultBatchId(), id -> new ArrayList<>());
                Frame[] round = null;
                for (Frame[] candidate : sameId) {
                    if (candidate[shard] == null) {
                        round = candidate;
                        break;
                    }
                }
                if (round == null) {
                    round = new Frame[shards];
                    sameId.add(round);
                }
                round[shard] = answer;
            }
        }
        return new KeptRounds(rounds);
    }

    boolean isEmpty() {
        return rounds.isEmpty();
    }

    void forEach(RoundConsumer consumer) throws BatchFormatException {
        for (List<Frame[]> sameId : rounds.values()) {
            for (Frame[] round : sameId) {
                consumer.accept(round);
            }
        }
    }
}
