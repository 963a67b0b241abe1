package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The reconciliation topology's fingerprints per bucket, with explicit record times, on the test driver (the archive
 * side needs S3 and is covered by {@code ReconciliationTopologyIT}; the check interval here is longer than any test).
 */
class ReconciliationTopologyTest {

    private static final Instant HOUR_7 = Instant.parse("2026-11-22T07:00:00Z");
    private static final Instant HOUR_8 = Instant.parse("2026-11-22T08:00:00Z");

    private static OnepipeTestDriver driver() {
        return OnepipeTestDriver.builder(new ReconciliationTopology())
                .registerDataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(SampleDatasets.WIDGETS)), SampleDatasets.schema(SampleDatasets.WIDGETS))
                .dataset("widgets")
                .set(S3Settings.BUCKET, "not-used-by-these-tests")
                .set(ReconciliationSettings.CHECK_INTERVAL_MS, 3_600_000)
                .build();
    }

    private static TestInputTopic<byte[], byte[]> topic(OnepipeTestDriver driver) {
        return driver.testDriver().createInputTopic("widgets", new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** The hash of one record as the test pipes it (RecordHash is checked on its own against an independent xxHash64). */
    private static long hashOf(long offset, Instant time, String key, String value, RecordHeaders headers) {
        return new RecordHash().hash(offset, time.toEpochMilli(), bytes(key), bytes(value), headers);
    }

    @Test
    void keepsCountOffsetsAndHashSumPerPartitionAndRecordTimeHour() {
        try (OnepipeTestDriver driver = driver()) {
            TestInputTopic<byte[], byte[]> input = topic(driver);
            RecordHeaders trace = new RecordHeaders(List.of(new RecordHeader("trace", bytes("t-1")), new RecordHeader("trace", null)));
            // Offsets 0..4 (the driver numbers records per topic from 0): hours 7, 7, 8, 7 (late), 8.
            input.pipeInput(new TestRecord<>(bytes("w-1"), bytes("one"), new RecordHeaders(), HOUR_7.plusSeconds(10)));
            input.pipeInput(new TestRecord<>(bytes("w-2"), bytes("two"), trace, HOUR_7.plusSeconds(3599)));
            input.pipeInput(new TestRecord<>(bytes("w-3"), null, new RecordHeaders(), HOUR_8));
            input.pipeInput(new TestRecord<>(null, bytes("late"), new RecordHeaders(), HOUR_7.plusSeconds(20)));
            input.pipeInput(new TestRecord<>(bytes("w-5"), bytes(""), new RecordHeaders(), HOUR_8.plusSeconds(1)));

            KeyValueStore<RawBucket, Fingerprint> store = driver.testDriver().getKeyValueStore(ReconciliationTopology.FINGERPRINTS_STORE);
            long hour7 = HOUR_7.getEpochSecond() / 3600;
            long sum7 = hashOf(0, HOUR_7.plusSeconds(10), "w-1", "one", new RecordHeaders()) + hashOf(1, HOUR_7.plusSeconds(3599), "w-2", "two", trace)
                    + hashOf(3, HOUR_7.plusSeconds(20), null, "late", new RecordHeaders());
            long sum8 = hashOf(2, HOUR_8, "w-3", null, new RecordHeaders()) + hashOf(4, HOUR_8.plusSeconds(1), "w-5", "", new RecordHeaders());
            assertEquals(new Fingerprint(3, 0, 3, sum7), store.get(new RawBucket(0, hour7)));
            assertEquals(new Fingerprint(2, 2, 4, sum8), store.get(new RawBucket(0, hour7 + 1)));
            assertNull(store.get(new RawBucket(0, hour7 + 2)));
            assertNull(store.get(new RawBucket(1, hour7)));

            KeyValueStore<Integer, Fingerprint> progress = driver.testDriver().getKeyValueStore(ReconciliationTopology.PROGRESS_STORE);
            assertEquals(5, progress.get(0).count());
            assertEquals(0, progress.get(0).firstOffset());
            assertEquals(4, progress.get(0).lastOffset());
        }
    }

    @Test
    void aDuplicateChangesTheBucketsFingerprintAndTwoDoNotCancel() {
        try (OnepipeTestDriver driver = driver()) {
            TestInputTopic<byte[], byte[]> input = topic(driver);
            KeyValueStore<RawBucket, Fingerprint> store = driver.testDriver().getKeyValueStore(ReconciliationTopology.FINGERPRINTS_STORE);
            RawBucket bucket = new RawBucket(0, HOUR_7.getEpochSecond() / 3600);
            input.pipeInput(new TestRecord<>(bytes("w-1"), bytes("one"), new RecordHeaders(), HOUR_7));
            Fingerprint once = store.get(bucket);
            input.pipeInput(new TestRecord<>(bytes("w-1"), bytes("one"), new RecordHeaders(), HOUR_7));
            Fingerprint twice = store.get(bucket);
            input.pipeInput(new TestRecord<>(bytes("w-1"), bytes("one"), new RecordHeaders(), HOUR_7));
            Fingerprint thrice = store.get(bucket);

            // The same bytes sent again are a new record at a new offset: the count and the sum both change.
            assertEquals(new Fingerprint(1, 0, 0, hashOf(0, HOUR_7, "w-1", "one", new RecordHeaders())), once);
            assertEquals(2, twice.count());
            assertNotEquals(once.hashSum(), twice.hashSum());
            assertEquals(once.hashSum() + hashOf(1, HOUR_7, "w-1", "one", new RecordHeaders()), twice.hashSum());
            // An XOR of the third record's hash would not bring back the first's sum either; a sum never cancels.
            assertEquals(3, thrice.count());
            assertNotEquals(once.hashSum(), thrice.hashSum());
            assertEquals(2, thrice.lastOffset());
        }
    }

    @Test
    void isFoundByServiceLoaderAndListsItsSettings() {
        OnepipeTopology found = ServiceLoader.load(OnepipeTopology.class).stream().map(ServiceLoader.Provider::get)
                .filter(topology -> topology.name().equals(ReconciliationTopology.NAME)).findFirst().orElseThrow();
        assertTrue(found.settings().stream().anyMatch(setting -> setting.key().equals(ReconciliationSettings.CHECK_INTERVAL_MS)));
    }

    /** With no bisection allowed, a bucket that differs would never get a verdict: refused, naming the setting. */
    @Test
    void refusesNoBisectionsPerCheck() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ReconciliationSettings.from(OnepipeConfig.of(
                Map.of(S3Settings.BUCKET, "bucket", ReconciliationSettings.MAX_BISECTIONS_PER_CHECK, "0"))));
        assertTrue(refused.getMessage().contains(ReconciliationSettings.MAX_BISECTIONS_PER_CHECK), refused.getMessage());
        assertEquals(1, ReconciliationSettings.from(OnepipeConfig.of(Map.of(S3Settings.BUCKET, "bucket",
                ReconciliationSettings.MAX_BISECTIONS_PER_CHECK, "1"))).maxBisectionsPerCheck());
    }

    /** Prometheus keeps one HELP line per metric name: every status's series must carry the same, status-neutral description. */
    @Test
    void eachMetricNameHasOneDescriptionNamingNoSingleStatus() {
        try (OnepipeTestDriver driver = driver()) {
            for (String name : List.of(ReconciliationMetrics.RAW_BUCKETS, ReconciliationMetrics.CONSUMER_GROUPS)) {
                java.util.Set<String> descriptions = new java.util.TreeSet<>();
                java.util.Set<String> statuses = new java.util.TreeSet<>();
                driver.testDriver().metrics().keySet().stream()
                        .filter(metric -> metric.group().equals(ReconciliationMetrics.GROUP) && metric.name().equals(name))
                        .forEach(metric -> {
                            descriptions.add(metric.description());
                            statuses.add(metric.tags().get("status"));
                        });
                assertEquals(5, statuses.size(), name + " " + statuses);
                assertEquals(1, descriptions.size(), name + " " + descriptions);
                String description = descriptions.iterator().next();
                assertTrue(description.contains("status tag"), description);
            }
        }
    }
}
