package io.vigil.adapter.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.function.MapState;
import io.vigil.api.function.ValueState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A whole snapshot followed by the changes written at each checkpoint after it reads back as the
 * state itself, through every kind of write (set, clear, put, remove, removal while iterating),
 * and a change to few keys writes little.
 */
class KeyedStatesChangesTest {
    static final int KEYS = 2_000;

    @Test
    void aSnapshotAndTheChangesAfterItReadBackAsTheState() throws IOException {
        KeyedStates live = new KeyedStates("rules");
        ValueState<Long> counts = live.valueState("counts", Long.class);
        MapState<String, Double> amounts = live.mapState("amounts", String.class, Double.class);
        Map<Object, Long> countsModel = new HashMap<>();
        Map<Object, Map<String, Double>> amountsModel = new HashMap<>();
        Random random = new Random(7);

        List<byte[]> chain = new ArrayList<>();
        for (int checkpoint = 0; checkpoint < 12; checkpoint++) {
            for (int op = 0; op < 3_000; op++) {
                Long key = (long) random.nextInt(KEYS);
                live.setKey(key);
                switch (random.nextInt(6)) {
                    case 0 -> {
                        long value = random.nextInt(100);
                        counts.set(value);
                        countsModel.put(key, value);
                    }
                    case 1 -> {
                        counts.clear();
                        countsModel.remove(key);
                    }
                    case 2, 3 -> {
                        String item = "i" + random.nextInt(4);
                        double value = random.nextInt(1000) / 10.0;
                        amounts.put(item, value);
                        amountsModel.computeIfAbsent(key, k -> new HashMap<>()).put(item, value);
                    }
                    case 4 -> {
                        String item = "i" + random.nextInt(4);
                        amounts.remove(item);
                        Map<String, Double> model = amountsModel.get(key);
                        if (model != null && model.remove(item) != null && model.isEmpty()) {
                            amountsModel.remove(key);
                        }
                    }
                    default -> {
                        // Removal while iterating, as the JavaScript rules do.
                        for (Iterator<Map.Entry<String, Double>> entries = amounts.entries().iterator(); entries.hasNext(); ) {
                            Map.Entry<String, Double> entry = entries.next();
                            if (entry.getValue() > 50) {
                                entries.remove();
                                amountsModel.get(key).remove(entry.getKey());
                            }
                        }
                        if (amountsModel.containsKey(key) && amountsModel.get(key).isEmpty()) {
                            amountsModel.remove(key);
                            amounts.clear();
                        }
                    }
                }
            }
            chain.add(checkpoint == 0 ? whole(live) : changes(live));

            KeyedStates restored = new KeyedStates("rules");
            ValueState<Long> restoredCounts = restored.valueState("counts", Long.class);
            MapState<String, Double> restoredAmounts = restored.mapState("amounts", String.class, Double.class);
            restored.read(new DataInputStream(new ByteArrayInputStream(chain.get(0))));
            for (byte[] increment : chain.subList(1, chain.size())) {
                restored.readChanges(new DataInputStream(new ByteArrayInputStream(increment)));
            }
            for (long key = 0; key < KEYS; key++) {
                restored.setKey(key);
                assertThat(restoredCounts.get()).as("counts of %d after checkpoint %d", key, checkpoint).isEqualTo(countsModel.get(key));
                Map<String, Double> items = new HashMap<>();
                restoredAmounts.entries().forEach(e -> items.put(e.getKey(), e.getValue()));
                assertThat(items).as("amounts of %d after checkpoint %d", key, checkpoint)
                        .isEqualTo(amountsModel.getOrDefault(key, Map.of()));
            }
        }
    }

    @Test
    void changingOnePercentOfTheKeysWritesAboutOnePercentOfTheState() throws IOException {
        KeyedStates live = new KeyedStates("rules");
        ValueState<Long> counts = live.valueState("counts", Long.class);
        for (long key = 0; key < 100_000; key++) {
            live.setKey(key);
            counts.set(key);
        }
        int whole = whole(live).length;
        for (long key = 0; key < 100_000; key += 100) {
            live.setKey(key);
            counts.set(key + 1);
        }
        int increment = changes(live).length;
        assertThat(increment).as("bytes of the increment against %,d of the whole", whole).isLessThan(whole / 50);
        assertThat(changes(live).length).as("nothing changed since").isLessThan(64);
    }

    /**
     * After a rescale, a shard owning key groups [32, 96) takes from the snapshot and increment of
     * each old shard (one owning [0, 64), one [64, 128)) exactly the keys of its groups, as they
     * stood after the increment.
     */
    @Test
    void aRescaledShardTakesItsKeyGroupsFromEachOldShardsSnapshotAndChanges() throws IOException {
        java.util.function.Predicate<Object> mine = key -> {
            int group = io.vigil.api.keys.KeyGroups.ofKey(key);
            return group >= 32 && group < 96;
        };
        Map<Object, Long> expected = new HashMap<>();
        List<byte[][]> oldShards = new ArrayList<>();
        for (int[] range : new int[][] {{0, 64}, {64, 128}}) {
            KeyedStates old = new KeyedStates("rules");
            ValueState<Long> counts = old.valueState("counts", Long.class);
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                String key = "card-" + k;
                int group = io.vigil.api.keys.KeyGroups.ofKey(key);
                if (group >= range[0] && group < range[1]) {
                    keys.add(key);
                    old.setKey(key);
                    counts.set((long) k);
                }
            }
            byte[] whole = whole(old);
            for (int i = 0; i < keys.size(); i += 3) {
                old.setKey(keys.get(i));
                if (i % 2 == 0) {
                    counts.clear();
                } else {
                    counts.set(-1L);
                }
            }
            oldShards.add(new byte[][] {whole, changes(old)});
            for (int i = 0; i < keys.size(); i++) {
                old.setKey(keys.get(i));
                if (counts.get() != null && mine.test(keys.get(i))) {
                    expected.put(keys.get(i), counts.get());
                }
            }
        }
        KeyedStates taker = new KeyedStates("rules");
        ValueState<Long> counts = taker.valueState("counts", Long.class);
        for (byte[][] old : oldShards) {
            taker.readKeys(new DataInputStream(new ByteArrayInputStream(old[0])), mine);
            taker.readChanges(new DataInputStream(new ByteArrayInputStream(old[1])), mine);
        }
        assertThat(expected).hasSizeGreaterThan(KEYS / 4);
        for (int k = 0; k < KEYS; k++) {
            String key = "card-" + k;
            taker.setKey(key);
            assertThat(counts.get()).as("%s of key group %d", key, io.vigil.api.keys.KeyGroups.ofKey(key)).isEqualTo(expected.get(key));
        }
    }

    private static byte[] whole(KeyedStates states) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        states.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] changes(KeyedStates states) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        states.writeChanges(out);
        out.flush();
        return bytes.toByteArray();
    }
}
