package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class KeyBisectionTest {

    private static KeyHashes keys(String... keysAndHashes) {
        KeyHashes hashes = new KeyHashes();
        for (int index = 0; index < keysAndHashes.length; index += 2) {
            hashes.add(keysAndHashes[index], Long.parseLong(keysAndHashes[index + 1]));
        }
        return hashes.seal();
    }

    @Test
    void namesTheKeysMissingExtraAndDifferent() {
        KeyHashes topic = new KeyHashes();
        KeyHashes table = new KeyHashes();
        for (char key = 'a'; key <= 'z'; key++) {
            topic.add("w-" + key, key * 1_000_003L);
            if (key != 'k') {
                table.add("w-" + key, key == 'q' ? 5 : key * 1_000_003L);
            }
            if (key == 'm') {
                table.add("w-" + key, key * 1_000_003L);
            }
        }
        table.add("x-extra", 9);
        KeyBisection.Differences differences = KeyBisection.compare(topic.seal(), table.seal(), 10);
        assertEquals(List.of("w-k"), differences.missing().listed());
        assertEquals(List.of("w-m", "x-extra"), differences.extra().listed());
        assertEquals(List.of("w-q"), differences.different().listed());
    }

    @Test
    void equalRowsHaveNoDifferencesAndTheLimitCounts() {
        assertTrue(KeyBisection.compare(keys("a", "1", "b", "2"), keys("b", "2", "a", "1"), 10).isEmpty());
        KeyBisection.Differences differences = KeyBisection.compare(keys("a", "1", "b", "2", "c", "3", "d", "4"), keys(), 2);
        assertEquals("a, b and 2 more", differences.missing().toString());
        assertEquals(4, differences.missing().count());
    }

    @Test
    void keysInFlightArePendingNotDifferences() {
        // b changed (in flight), c missing (in flight), d missing (settled), e extra (settled)
        KeyBisection.Differences differences = KeyBisection.compare(keys("a", "1", "b", "2", "c", "3", "d", "4"),
                keys("a", "1", "b", "7", "e", "5"), key -> key.equals("b") || key.equals("c"), 10);
        assertEquals(List.of("b", "c"), differences.pending().listed());
        assertEquals(List.of("d"), differences.missing().listed());
        assertEquals(List.of("e"), differences.extra().listed());
        assertTrue(differences.different().isEmpty());
        KeyBisection.Differences onlyInFlight = KeyBisection.compare(keys("a", "1", "b", "2"), keys("a", "1"), key -> key.equals("b"), 10);
        assertTrue(onlyInFlight.isEmpty(), "a key in flight is no difference");
        assertEquals(1, onlyInFlight.pending().count());
    }
}
