package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import dev.onepipe.core.config.MissingConfigurationException;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import org.junit.jupiter.api.Test;

class ArchiveSettingsTest {

    private static OnepipeConfig config(Map<String, String> flags) {
        return TopologyRunner.configure(new ArchiveTopology(), Map.of(), Map.of(), flags);
    }

    @Test
    void refusesToStartWithoutABucketAndSaysWhatToSet() {
        MissingConfigurationException missing = assertThrows(MissingConfigurationException.class, () -> ArchiveSettings.from(config(Map.of())));
        assertTrue(missing.getMessage().contains("onepipe.s3.bucket"), missing.getMessage());
        assertTrue(missing.getMessage().contains("--s3-bucket"), missing.getMessage());
    }

    @Test
    void refusesAnUnknownFormat() {
        assertThrows(IllegalArgumentException.class,
                () -> ArchiveSettings.from(config(Map.of("onepipe.s3.bucket", "archive", ArchiveSettings.FORMAT, "csv"))));
    }

    @Test
    void readsDefaultsAndSplitsTheBufferBudgetByPartition() {
        ArchiveSettings settings = ArchiveSettings.from(config(Map.of("onepipe.s3.bucket", "archive", ArchiveSettings.MAX_OPEN_CHUNKS, "2")));
        assertEquals(250_000, settings.chunkMaxRecords());
        assertEquals(2, settings.maxOpenChunks());
        assertEquals("raw", settings.prefix());
        assertEquals(1024L * 1024 * 1024 / 8, settings.limits(8).partitionBufferBytes());
        assertEquals(Duration.ofSeconds(90), settings.uploadRetryLimit());
    }
}
