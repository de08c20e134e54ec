package io.vigil.examples.fraud;

/** The four fraud rules; each name is the value of {@link Alert#getRule()}. */
public enum Rule {
    /** A charge under 2.00 followed within a minute by one of 200.00 or more on the same card. */
    SMALL_THEN_LARGE,
    /** More than five transactions on one card within a minute. */
    VELOCITY,
    /** Two consecutive transactions on one card further apart than 1,000 km/h allows. */
    IMPOSSIBLE_TRAVEL,
    /** A charge over four times the card's average of the last 24 hours, once the card has more than six. */
    ABOVE_AVERAGE
}
