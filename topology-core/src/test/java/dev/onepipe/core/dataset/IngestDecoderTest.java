package dev.onepipe.core.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Event times that cannot become a Kafka record timestamp make a dead letter, checked by hand-picked instants. */
class IngestDecoderTest {

    private static final long NOW = Instant.parse("2026-11-30T08:00:00Z").toEpochMilli();

    @Test
    void anEventTimeBefore1970IsRefusedWithItsReason() {
        Optional<String> reason = IngestDecoder.unusableEventTime(Instant.parse("1969-12-31T23:59:59Z").toEpochMilli(), NOW);
        assertEquals("event time -1000 ms (1969-12-31T23:59:59Z) is before 1970-01-01T00:00:00Z;"
                + " a Kafka record timestamp may not be negative", reason.orElseThrow());
    }

    @Test
    void anEventTimeMoreThanAnHourAheadIsRefused() {
        assertTrue(IngestDecoder.unusableEventTime(Instant.parse("2100-01-01T00:00:00Z").toEpochMilli(), NOW).orElseThrow()
                .startsWith("event time 2100-01-01T00:00:00Z is more than PT1H ahead of the clock"));
        assertTrue(IngestDecoder.unusableEventTime(Instant.parse("2026-11-30T09:00:01Z").toEpochMilli(), NOW).isPresent());
    }

    @Test
    void epochZeroAndAnHourAheadAreFine() {
        assertEquals(Optional.empty(), IngestDecoder.unusableEventTime(0, NOW));
        assertEquals(Optional.empty(), IngestDecoder.unusableEventTime(Instant.parse("2026-11-30T09:00:00Z").toEpochMilli(), NOW));
    }
}
