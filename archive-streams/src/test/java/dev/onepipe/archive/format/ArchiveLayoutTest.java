package dev.onepipe.archive.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ArchiveLayoutTest {

    private static final long HOUR_OF_SEVEN_O_CLOCK = Instant.parse("2026-11-22T07:00:00Z").getEpochSecond() / 3600;

    @Test
    void namesObjectsByTopicPartitionDateHourAndZeroPaddedStartOffset() {
        assertEquals("raw/widgets/partition=3/dt=2026-11-22/hour=07/widgets+3+00000000000000012345.parquet",
                new ArchiveLayout("raw").objectKey("widgets", 3, HOUR_OF_SEVEN_O_CLOCK, 12_345));
        assertEquals("a/b/widgets/partition=0/dt=2026-11-22/hour=07/widgets+0+00000000000000000000.parquet",
                new ArchiveLayout("/a/b/").objectKey("widgets", 0, HOUR_OF_SEVEN_O_CLOCK, 0));
    }

    @Test
    void readsItsOwnKeysBack() {
        ArchiveLayout layout = new ArchiveLayout("raw");
        String key = layout.objectKey("ad.events_v2", 11, HOUR_OF_SEVEN_O_CLOCK + 5, 987_654_321L);
        assertEquals(Optional.of(new ArchiveLayout.ChunkObject(key, "ad.events_v2", 11, HOUR_OF_SEVEN_O_CLOCK + 5, 987_654_321L)), layout.parse(key));
    }

    @Test
    void ignoresKeysThatAreNotChunks() {
        ArchiveLayout layout = new ArchiveLayout("raw");
        assertTrue(layout.parse("raw/widgets/_manifest.json").isEmpty());
        assertTrue(layout.parse("clean/widgets/partition=3/dt=2026-11-22/hour=07/widgets+3+00000000000000012345.parquet").isEmpty());
        assertTrue(layout.parse("raw/widgets/partition=3/dt=2026-11-22/hour=07/widgets+4+00000000000000012345.parquet").isEmpty());
        assertTrue(layout.parse("raw/widgets/partition=3/dt=2026-11-22/hour=07/widgets+3+99999999999999999999.parquet").isEmpty());
        assertTrue(layout.parse("raw/widgets/partition=3/dt=2026-11-22/hour=25/widgets+3+00000000000000012345.parquet").isEmpty());
    }
}
