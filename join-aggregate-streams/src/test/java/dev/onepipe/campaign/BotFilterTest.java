package dev.onepipe.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The blocklist lookups of the bot filter: an address, and the canonical form of every block that contains it. */
class BotFilterTest {

    @Test
    void anAddressIsLookedUpAsItselfAndAsEveryBlockContainingIt() {
        List<String> entries = BotFilter.blocklistEntriesContaining("203.0.113.77");
        assertEquals(34, entries.size());
        assertEquals("203.0.113.77", entries.get(0));
        assertTrue(entries.contains("203.0.113.77/32"));
        assertTrue(entries.contains("203.0.113.0/24"));
        assertTrue(entries.contains("203.0.112.0/23"));
        assertTrue(entries.contains("203.0.0.0/16"));
        assertTrue(entries.contains("0.0.0.0/0"));
    }

    @Test
    void somethingThatIsNotAnIpv4AddressIsLookedUpAsItIs() {
        assertEquals(List.of("2001:db8::1"), BotFilter.blocklistEntriesContaining("2001:db8::1"));
        assertEquals(List.of("10.0.0.256"), BotFilter.blocklistEntriesContaining("10.0.0.256"));
    }

    @Test
    void entriesAreStoredInCanonicalForm() {
        assertEquals("203.0.113.0/24", BotFilter.canonicalEntry(" 203.0.113.9/24 "));
        assertEquals("198.51.100.7", BotFilter.canonicalEntry("198.51.100.7"));
        assertEquals("0.0.0.0/0", BotFilter.canonicalEntry("192.0.2.1/0"));
        assertThrows(IllegalArgumentException.class, () -> BotFilter.canonicalEntry("203.0.113.0/33"));
        assertThrows(IllegalArgumentException.class, () -> BotFilter.canonicalEntry("bot.example.com"));
    }
}
