package io.vigil.examples.fraud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The demo's options: a bad value names the option and the value, before anything starts. */
class FraudDemoOptionsTest {
    @Test
    void numbersOutOfRangeOrNotNumbersNameTheOptionAndValue() {
        assertThatThrownBy(() -> FraudDemo.Options.parse(new String[] {"--events", "abc"}))
                .hasMessage("option --events needs a whole number of at least 1, not 'abc'");
        assertThatThrownBy(() -> FraudDemo.Options.parse(new String[] {"--events", "-5"}))
                .hasMessage("option --events needs a whole number of at least 1, not '-5'");
        assertThatThrownBy(() -> FraudDemo.Options.parse(new String[] {"--shards", "0"}))
                .hasMessage("option --shards needs a whole number from 1 to 1024, not '0'");
        assertThatThrownBy(() -> FraudDemo.Options.parse(new String[] {"--fraud-rate", "2"}))
                .hasMessage("option --fraud-rate needs a number from 0 to 1, not '2'");
        assertThatThrownBy(() -> FraudDemo.Options.parse(new String[] {"--swap", "maybe"}))
                .hasMessage("option --swap needs true or false, not 'maybe'");
        assertThatThrownBy(() -> FraudDemo.Options.parse(new String[] {"--events"}))
                .hasMessage("option --events needs a value");
    }

    @Test
    void eachUpdateIsActiveBeforeTheSourcePassesFifteenPercentMoreOfTheStreamOrTheNextUpdate() {
        var plan = FraudDemo.updates(FraudDemo.Options.parse(new String[] {"--events", "10000"}));
        assertThat(FraudDemo.holdPoints(plan, 10_000)).containsExactly(5_500, 7_000 + 1_500);
        assertThat(FraudDemo.holdPoints(plan.subList(0, 1), 10_000)).containsExactly(5_500);
    }

    @Test
    void goodValuesAreTaken() {
        FraudDemo.Options options = FraudDemo.Options.parse(new String[] {"--events", "10_000", "--rate", "5000", "--shards", "3"});
        assertThat(options.events).isEqualTo(10_000);
        assertThat(options.rate).isEqualTo(5000);
        assertThat(options.shards).isEqualTo(3);
    }
}
