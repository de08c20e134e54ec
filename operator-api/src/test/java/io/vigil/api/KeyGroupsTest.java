package io.vigil.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.keys.KeyGroups;
import org.junit.jupiter.api.Test;

class KeyGroupsTest {
    @Test
    void keysSpreadOverAllKeyGroups() {
        int[] hits = new int[KeyGroups.COUNT];
        for (int i = 0; i < 128_000; i++) {
            hits[KeyGroups.of("card-" + i)]++;
        }
        for (int count : hits) {
            assertThat(count).isBetween(800, 1200);
        }
    }

    @Test
    void shardsOwnContiguousRangesThatCoverEveryKeyGroupOnce() {
        for (int shards = 1; shards <= KeyGroups.COUNT; shards++) {
            int previousShard = 0;
            for (int keyGroup = 0; keyGroup < KeyGroups.COUNT; keyGroup++) {
                int shard = KeyGroups.shardOf(keyGroup, shards);
                assertThat(shard).isBetween(previousShard, previousShard + 1);
                if (shard != previousShard || keyGroup == 0) {
                    assertThat(KeyGroups.firstKeyGroup(shard, shards)).isEqualTo(keyGroup);
                }
                previousShard = shard;
            }
            assertThat(previousShard).isEqualTo(shards - 1);
        }
    }

    @Test
    void longAndStringKeysAreStable() {
        assertThat(KeyGroups.of(42L)).isEqualTo(KeyGroups.ofHash(Long.hashCode(42L)));
        assertThat(KeyGroups.of("card-1")).isEqualTo(KeyGroups.of("card-1"));
    }
}
