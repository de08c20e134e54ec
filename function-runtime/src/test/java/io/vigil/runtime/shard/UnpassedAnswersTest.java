package io.vigil.runtime.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnpassedAnswersTest {
    private static byte[] answer(long batchId, int length) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) batchId);
        return bytes;
    }

    @Test
    void aBarrierKeepsTheAnswersAfterWhatTheClientPassedOnAndForgetsTheRest() {
        UnpassedAnswers answers = new UnpassedAnswers(true);
        for (long id = 1; id <= 40; id++) {
            assertThat(answers.record(id, answer(id, 100), 100 - (int) id)).isTrue();
        }
        List<ByteString> kept = answers.passedThrough(37);
        assertThat(kept).extracting(ByteString::size).containsExactly(100 - 38, 100 - 39, 100 - 40);
        assertThat(kept.get(0).byteAt(0)).isEqualTo((byte) 38);
        // Kept answers stay until a later barrier says they were passed on, in the order sent.
        answers.record(41, answer(41, 10), 10);
        assertThat(answers.passedThrough(39)).extracting(b -> (int) b.byteAt(0)).containsExactly(40, 41);
        assertThat(answers.passedThrough(41)).isEmpty();
    }

    @Test
    void slotsAreReusedAndAnswersLongerThanASlotGetTheirOwn() {
        UnpassedAnswers answers = new UnpassedAnswers(true);
        for (long id = 1; id <= 1_000; id++) {
            answers.record(id, answer(id, 5_000), id % 100 == 0 ? 5_000 : 10);
            if (id % 10 == 0) {
                assertThat(answers.passedThrough(id - 3)).hasSize(3);
            }
        }
        assertThat(answers.passedThrough(999)).singleElement().satisfies(b -> assertThat(b.size()).isEqualTo(5_000));
    }

    @Test
    void aClientThatSendsNoBarriersCannotMakeTheShardKeepUnboundedAnswers() {
        UnpassedAnswers answers = new UnpassedAnswers(true);
        byte[] large = new byte[1 << 20];
        long id = 0;
        while (answers.record(++id, large, large.length)) {
            assertThat(id).isLessThanOrEqualTo(UnpassedAnswers.MOST_BYTES / large.length);
        }
        assertThat(id - 1).isEqualTo(UnpassedAnswers.MOST_BYTES / large.length);
    }

    @Test
    void aClientThatEmitsBeforeItsBarriersHasNothingKept() {
        UnpassedAnswers answers = new UnpassedAnswers(false);
        assertThat(answers.record(1, answer(1, 10), 10)).isTrue();
        assertThat(answers.keeps()).isFalse();
        assertThat(answers.passedThrough(0)).isEmpty();
    }
}
