package dev.onepipe.archive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** {@code replay --from/--to} read a time the way JSON timestamps are read: no offset means UTC. */
class ReplayTimeOptionTest {

    /** 2026-11-29T10:00:00Z: 20786 days since the epoch × 86,400,000 ms + 10 h. */
    private static final Instant TEN_UTC = Instant.ofEpochMilli(20_786L * 86_400_000L + 36_000_000L);

    @Test
    void everyFormNamesTheSameInstant() {
        for (final String text : new String[] {"2026-11-29T10:00:00Z", "2026-11-29T10:00:00", "2026-11-29T10:00",
            "2026-11-29 10:00:00", "2026-11-29T11:00:00+01:00", "2026-11-29T10:00:00.000"}) {
            assertEquals(TEN_UTC, ReplayCommand.parseTime("--from", text), text);
        }
        assertEquals(TEN_UTC.minusSeconds(36_000), ReplayCommand.parseTime("--to", "2026-11-29"));
    }

    @Test
    void otherTextIsAnErrorNamingTheOptionAndTheForms() {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> ReplayCommand.parseTime("--from", "yesterday"));
        assertTrue(error.getMessage().startsWith("--from 'yesterday' is not a time: use 2026-11-29T10:00:00Z"),
            error.getMessage());
    }
}
