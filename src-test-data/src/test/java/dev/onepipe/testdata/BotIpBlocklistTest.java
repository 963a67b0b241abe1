package dev.onepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class BotIpBlocklistTest {

    private final BotIpBlocklist blocklist = BotIpBlocklist.standard();

    @Test
    void shipsTheDocumentedEntries() {
        assertEquals(List.of("203.0.113.0/24", "198.51.100.7", "198.51.100.42", "192.0.2.66"), blocklist.entries());
    }

    @Test
    void matchesTheWholeBlockAndTheSingleAddressesOnly() {
        assertTrue(blocklist.contains("203.0.113.0"));
        assertTrue(blocklist.contains("203.0.113.77"));
        assertTrue(blocklist.contains("203.0.113.255"));
        assertTrue(blocklist.contains("198.51.100.7"));
        assertTrue(blocklist.contains("198.51.100.42"));
        assertTrue(blocklist.contains("192.0.2.66"));

        assertFalse(blocklist.contains("203.0.112.255"));
        assertFalse(blocklist.contains("203.0.114.0"));
        assertFalse(blocklist.contains("198.51.100.8"));
        assertFalse(blocklist.contains("192.0.2.65"));
        assertFalse(blocklist.contains("10.0.0.1"));
    }

    @Test
    void somethingThatIsNotAnAddressIsNotBlocked() {
        assertFalse(blocklist.contains(null));
        assertFalse(blocklist.contains(""));
        assertFalse(blocklist.contains("203.0.113"));
        assertFalse(blocklist.contains("203.0.113.256"));
        assertFalse(blocklist.contains("203.0.113.7.1"));
        assertFalse(blocklist.contains("203.0.113.x"));
    }

    @Test
    void parsesCommentsBlankLinesAndWideBlocks() {
        final BotIpBlocklist parsed = BotIpBlocklist.parse("# bots\n\n10.1.0.0/16  # a wide block\n 8.8.8.8 \n");
        assertEquals(List.of("10.1.0.0/16", "8.8.8.8"), parsed.entries());
        assertTrue(parsed.contains("10.1.200.3"));
        assertFalse(parsed.contains("10.2.0.0"));
        assertTrue(parsed.contains("8.8.8.8"));
        assertTrue(BotIpBlocklist.parse("0.0.0.0/0").contains("1.2.3.4"));
        assertThrows(IllegalArgumentException.class, () -> BotIpBlocklist.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> BotIpBlocklist.parse("not-an-address"));
    }

    @Test
    void randomAddressesAreListedAndCoverEveryEntry() {
        final SplittableRandom random = new SplittableRandom(7);
        final Set<String> singles = new HashSet<>();
        int inBlock = 0;
        for (int draw = 0; draw < 2_000; draw++) {
            final String address = blocklist.randomAddress(random);
            assertTrue(blocklist.contains(address), address);
            if (address.startsWith("203.0.113.")) {
                inBlock++;
            } else {
                singles.add(address);
            }
        }
        assertEquals(Set.of("198.51.100.7", "198.51.100.42", "192.0.2.66"), singles);
        ShareAssertions.assertShare("addresses drawn from the /24 block", 0.25, inBlock, 2_000);
    }

    @Test
    void humanAddressesAreNeverBlocked() {
        for (int user = 0; user < 70_000; user += 7) {
            final String address = AdTrafficGenerator.humanAddress(user);
            assertTrue(address.startsWith("10."), address);
            assertFalse(blocklist.contains(address), address);
        }
        assertEquals("10.0.0.1", AdTrafficGenerator.humanAddress(0));
        assertEquals("10.0.1.3", AdTrafficGenerator.humanAddress(258));
        assertEquals("10.255.255.255", AdTrafficGenerator.humanAddress(AdTrafficGeneratorConfig.MAXIMUM_USER_COUNT - 1));
    }
}
