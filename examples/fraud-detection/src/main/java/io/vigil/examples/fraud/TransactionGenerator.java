package io.vigil.examples.fraud;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A deterministic stream of card transactions in event-time order, with labelled fraud injected.
 *
 * <p>Ordinary traffic is built so that no rule can fire on it: each card spends 0.8–1.2 times its
 * own base amount (20–60), near its home (within 0.1°), at least ten minutes after its previous
 * transaction. Each fraud scenario uses a card of its own, which is blocked afterwards, and is
 * shaped to trip exactly one rule on exactly one transaction, which is the ground truth:
 * <ul>
 *   <li>{@link Rule#SMALL_THEN_LARGE}: a new card is tested with a charge under 2.00, then charged
 *       200–400 ten to fifty seconds later;</li>
 *   <li>{@link Rule#VELOCITY}: six ordinary charges five seconds apart (the sixth is the fraud);</li>
 *   <li>{@link Rule#IMPOSSIBLE_TRAVEL}: a charge at home, then 5–15 minutes later one at least
 *       3,000 km away;</li>
 *   <li>{@link Rule#ABOVE_AVERAGE}: on a card with eight or more charges, one of 15–25 times its
 *       base amount (the rule's margin holds whether or not the average includes it).</li>
 * </ul>
 * The whole stream spans 20 hours of event time, whatever its length.
 */
public final class TransactionGenerator implements Iterator<Transaction> {
    public static final long START_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final long SPAN_MILLIS = 20L * 3600 * 1000;
    private static final long MIN_GAP_MILLIS = 10 * 60 * 1000;

    private final SplittableRandom random;
    private final long events;
    private final double fraudRate;
    private final long interarrival;
    private final List<Card> cards = new ArrayList<>();
    private final PriorityQueue<Scheduled> scheduled =
            new PriorityQueue<>(Comparator.comparingLong(Scheduled::ts).thenComparingLong(Scheduled::order));
    private final Consumer<ExpectedAlert> truth;
    private long emitted;
    private long nextOrdinaryTs = START_MILLIS;
    private long order;
    private int freshCards;

    /**
     * @param truth receives each injected fraud when its flagged transaction is emitted
     */
    public TransactionGenerator(long seed, long events, double fraudRate, Consumer<ExpectedAlert> truth) {
        this.random = new SplittableRandom(seed);
        this.events = events;
        this.fraudRate = fraudRate;
        this.interarrival = Math.max(1, SPAN_MILLIS / Math.max(1, events));
        this.truth = truth;
        int pool = (int) Math.max(200, events / 20);
        for (int i = 0; i < pool; i++) {
            cards.add(newCard("C" + i));
        }
    }

    /** The ground truth of a stream, computed without keeping the stream. */
    public static List<ExpectedAlert> groundTruth(long seed, long events, double fraudRate) {
        List<ExpectedAlert> expected = new ArrayList<>();
        TransactionGenerator generator = new TransactionGenerator(seed, events, fraudRate, expected::add);
        while (generator.hasNext()) {
            generator.next();
        }
        return expected;
    }

    @Override
    public boolean hasNext() {
        return emitted < events;
    }

    @Override
    public Transaction next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the stream has " + events + " transactions");
        }
        if (!scheduled.isEmpty() && scheduled.peek().ts() <= nextOrdinaryTs) {
            Scheduled next = scheduled.poll();
            return emit(next.transaction(), next.flags());
        }
        long now = nextOrdinaryTs;
        nextOrdinaryTs += interarrival;
        if (random.nextDouble() < fraudRate) {
            Scheduled fraud = startScenario(now);
            if (fraud != null) {
                return emit(fraud.transaction(), fraud.flags());
            }
        }
        Card card = availableCard(now);
        return emit(card.charge(ordinaryAmount(card), card.homeLat + jitter(0.1), card.homeLon + jitter(0.1), now), null);
    }

    private Scheduled startScenario(long now) {
        Rule rule = Rule.values()[random.nextInt(Rule.values().length)];
        switch (rule) {
            case SMALL_THEN_LARGE -> {
                Card card = newCard("F" + freshCards++);
                card.blocked = true;
                Transaction small = card.charge(cents(0.5 + random.nextDouble() * 1.49), card.homeLat, card.homeLon, now);
                schedule(card.charge(cents(200 + random.nextDouble() * 200), card.homeLat, card.homeLon,
                        now + 10_000 + random.nextLong(40_000)), rule);
                return new Scheduled(small, null, now, order++);
            }
            case VELOCITY -> {
                Card card = availableCard(now);
                card.blocked = true;
                Transaction first = card.charge(ordinaryAmount(card), card.homeLat + jitter(0.001), card.homeLon + jitter(0.001), now);
                for (int i = 1; i <= 5; i++) {
                    schedule(card.charge(ordinaryAmount(card), card.homeLat + jitter(0.001), card.homeLon + jitter(0.001),
                            now + i * 5_000L), i == 5 ? rule : null);
                }
                return new Scheduled(first, null, now, order++);
            }
            case IMPOSSIBLE_TRAVEL -> {
                Card card = cardWithHistory(now, 1);
                if (card == null) {
                    return null;
                }
                card.blocked = true;
                Transaction home = card.charge(ordinaryAmount(card), card.homeLat + jitter(0.1), card.homeLon + jitter(0.1), now);
                double[] far = farFrom(card.homeLat, card.homeLon);
                schedule(card.charge(ordinaryAmount(card), far[0], far[1], now + 5 * 60_000 + random.nextLong(10 * 60_000)), rule);
                return new Scheduled(home, null, now, order++);
            }
            case ABOVE_AVERAGE -> {
                Card card = cardWithHistory(now, 8);
                if (card == null) {
                    return null;
                }
                card.blocked = true;
                Transaction big = card.charge(cents(card.base * (15 + random.nextDouble() * 10)),
                        card.homeLat + jitter(0.1), card.homeLon + jitter(0.1), now);
                return new Scheduled(big, rule, now, order++);
            }
            default -> throw new IllegalStateException(rule.name());
        }
    }

    private Transaction emit(Transaction transaction, Rule flags) {
        transaction.setTxnId("T" + emitted);
        emitted++;
        if (flags != null) {
            truth.accept(new ExpectedAlert(flags, transaction.getTxnId()));
        }
        return transaction;
    }

    private void schedule(Transaction transaction, Rule flags) {
        scheduled.add(new Scheduled(transaction, flags, transaction.getTs(), order++));
    }

    private Card availableCard(long now) {
        for (int attempt = 0; attempt < 64; attempt++) {
            Card card = cards.get(random.nextInt(cards.size()));
            if (card.isAvailable(now)) {
                return card;
            }
        }
        Card card = newCard("C" + cards.size());
        cards.add(card);
        return card;
    }

    private Card cardWithHistory(long now, int minimumHistory) {
        for (int attempt = 0; attempt < 64; attempt++) {
            Card card = cards.get(random.nextInt(cards.size()));
            if (card.isAvailable(now) && card.charges >= minimumHistory) {
                return card;
            }
        }
        return null;
    }

    private Card newCard(String id) {
        return new Card(id, 20 + random.nextDouble() * 40, -50 + random.nextDouble() * 110, -120 + random.nextDouble() * 270);
    }

    private double ordinaryAmount(Card card) {
        return cents(card.base * (0.8 + random.nextDouble() * 0.4));
    }

    private double jitter(double degrees) {
        return (random.nextDouble() * 2 - 1) * degrees;
    }

    private double[] farFrom(double lat, double lon) {
        while (true) {
            double farLat = -50 + random.nextDouble() * 110;
            double farLon = -180 + random.nextDouble() * 360;
            if (Geo.distanceKm(lat, lon, farLat, farLon) >= 3000) {
                return new double[] {farLat, farLon};
            }
        }
    }

    private static double cents(double amount) {
        return Math.round(amount * 100) / 100.0;
    }

    private record Scheduled(Transaction transaction, Rule flags, long ts, long order) {
    }

    private final class Card {
        final String id;
        final double base;
        final double homeLat;
        final double homeLon;
        int charges;
        long lastTs = Long.MIN_VALUE;
        boolean blocked;

        Card(String id, double base, double homeLat, double homeLon) {
            this.id = id;
            this.base = base;
            this.homeLat = homeLat;
            this.homeLon = homeLon;
        }

        boolean isAvailable(long now) {
            return !blocked && (lastTs == Long.MIN_VALUE || now - lastTs >= MIN_GAP_MILLIS);
        }

        Transaction charge(double amount, double lat, double lon, long ts) {
            charges++;
            lastTs = Math.max(lastTs, ts);
            return new Transaction(null, id, "M" + random.nextInt(5000), amount, lat, lon, ts);
        }
    }
}
