package io.vigil.runtime.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BusyTimeTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void aSteadyLoadSettlesAtItsFractionAndABurstFades() {
        BusyTime busy = new BusyTime();
        long now = 5 * SECOND;
        busy.sample(now);
        for (int s = 0; s < 60; s++) {
            busy.add(SECOND * 8 / 10);
            now += SECOND;
            busy.sample(now);
        }
        assertThat(busy.fraction()).as("80 %% of every second for a minute").isCloseTo(0.8, within(0.01));
        for (int s = 0; s < 10; s++) {
            now += SECOND;
            busy.sample(now);
        }
        assertThat(busy.fraction()).as("ten idle seconds: about e^-1 of it left").isCloseTo(0.8 * Math.exp(-1), within(0.02));
    }

    @Test
    void readingsFartherApartWeighInForTheTimeTheyCover() {
        BusyTime busy = new BusyTime();
        busy.sample(SECOND);
        busy.add(10 * SECOND);
        busy.sample(11 * SECOND);
        assertThat(busy.fraction()).as("ten busy seconds in one reading").isCloseTo(1 - Math.exp(-1), within(0.01));
    }
}
