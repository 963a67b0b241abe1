package dev.onepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code produce --generate --start} reads a time as JSON timestamps and {@code replay --from} do. */
class StartTimeOptionTest {

    /** 2026-11-29T10:00:00Z: 20786 days × 86,400,000 ms + 10 h. */
    private static final Instant TEN_UTC = Instant.ofEpochMilli(20_786L * 86_400_000L + 36_000_000L);

    @Test
    void withAndWithoutOffset() {
        final SampleTraffic.StartTime converter = new SampleTraffic.StartTime();
        assertEquals(TEN_UTC, converter.convert("2026-11-29T10:00:00Z"));
        assertEquals(TEN_UTC, converter.convert("2026-11-29T10:00"));
        assertEquals(TEN_UTC, converter.convert("2026-11-29 11:00:00+01:00"));
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("soon"));
    }
}
