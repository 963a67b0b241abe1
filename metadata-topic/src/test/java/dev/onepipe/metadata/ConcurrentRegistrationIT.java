package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Four writers (as if on four machines: each its own producer and consumer, all with the same transactional id)
 * register 25 schema versions each, concurrently, for three shared datasets.
 */
class ConcurrentRegistrationIT {

    private static final Logger LOG = LoggerFactory.getLogger(ConcurrentRegistrationIT.class);
    private static final String TOPIC = "_onepipe_metadata_concurrent";
    private static final int WRITERS = 4;
    private static final int REGISTRATIONS_PER_WRITER = 25;
    private static final int DATASETS = 3;

    private static String schema(final String dataset, final String extraField) {
        return "{\"type\": \"record\", \"name\": \"Row\", \"namespace\": \"" + dataset.replace('-', '_') + "\", \"fields\": ["
            + "{\"name\": \"id\", \"type\": \"string\"}, {\"name\": \"seen_at\", \"type\": \"long\"}"
            + extraField + "]}";
    }

    private static String dataset(final int index) {
        return "shared-" + index;
    }

    /** Every eighth registration of a writer adds a field without a default: BACKWARD incompatible. */
    private static boolean deliberatelyIncompatible(final int registration) {
        return registration % 8 == 7;
    }

    @Test
    void concurrentWritersNeverShareAnIdOrAVersion() throws Exception {
        final Map<String, Object> config = SharedKafkaBroker.clientConfig();
        try (Admin admin = Admin.create(config)) {
            MetadataTopic.ensureExists(admin, TOPIC);
        }
        try (MetadataWriter setup = new MetadataWriter(config, TOPIC)) {
            for (int index = 0; index < DATASETS; index++) {
                final DatasetMetadata metadata = DatasetMetadata.builder(dataset(index)).uniqueKey("id").build();
                assertTrue(setup.register(RegistrationRequest.dataset(metadata, schema(dataset(index), ""))).accepted());
            }
        }

        final CyclicBarrier start = new CyclicBarrier(WRITERS);
        final ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        final List<Future<List<RegistrationResult>>> futures = new ArrayList<>();
        final long started = System.nanoTime();
        for (int writer = 0; writer < WRITERS; writer++) {
            final int writerNumber = writer;
            futures.add(pool.submit((Callable<List<RegistrationResult>>) () -> {
                final List<RegistrationResult> results = new ArrayList<>();
                try (MetadataWriter metadataWriter = new MetadataWriter(config, TOPIC)) {
                    start.await();
                    for (int registration = 0; registration < REGISTRATIONS_PER_WRITER; registration++) {
                        final String dataset = dataset((writerNumber + registration) % DATASETS);
                        final String field = "f_" + writerNumber + "_" + registration;
                        final String extra = deliberatelyIncompatible(registration)
                            ? ", {\"name\": \"" + field + "\", \"type\": \"int\"}"
                            : ", {\"name\": \"" + field + "\", \"type\": \"int\", \"default\": 0}";
                        results.add(metadataWriter.register(RegistrationRequest.datasetSchema(dataset,
                            schema(dataset, extra))));
                    }
                    LOG.info("Writer {} retried {} fenced or failed attempts", writerNumber,
                        metadataWriter.retriedAttemptCount());
                }
                return results;
            }));
        }
        final List<RegistrationResult> results = new ArrayList<>();
        for (final Future<List<RegistrationResult>> future : futures) {
            results.addAll(future.get(5, TimeUnit.MINUTES));
        }
        pool.shutdown();
        LOG.info("{} concurrent registrations took {} ms", results.size(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

        final List<RegistrationResult> accepted = new ArrayList<>();
        final List<RegistrationResult> rejected = new ArrayList<>();
        results.forEach(result -> (result.accepted() ? accepted : rejected).add(result));
        final int expectedRejected = WRITERS * 3;
        assertEquals(expectedRejected, rejected.size());
        assertEquals(WRITERS * REGISTRATIONS_PER_WRITER - expectedRejected, accepted.size());

        for (final RegistrationResult result : rejected) {
            final String field = result.request().schemaText().orElseThrow().replaceAll(".*\"name\": \"(f_\\d+_\\d+)\".*", "$1");
            assertTrue(String.join(" ", result.reasons()).contains("field '" + field + "': READER_FIELD_MISSING_DEFAULT_VALUE"),
                result.reasons().toString());
            assertFalse(result.schemaVersion().isPresent());
        }

        final Set<Integer> ids = new TreeSet<>();
        final Map<String, Set<Integer>> versionsBySubject = new TreeMap<>();
        for (final RegistrationResult result : accepted) {
            final SchemaVersion version = result.schemaVersion().orElseThrow();
            assertTrue(result.schemaVersionCreated());
            assertTrue(ids.add(version.id()), "id " + version.id() + " handed out twice");
            assertTrue(versionsBySubject.computeIfAbsent(version.subject(), subject -> new TreeSet<>()).add(version.version()),
                version.subject() + " version " + version.version() + " handed out twice");
        }
        final Set<Integer> expectedIds = new TreeSet<>();
        for (int id = DATASETS + 1; id <= DATASETS + accepted.size(); id++) {
            expectedIds.add(id);
        }
        assertEquals(expectedIds, ids, "ids are unique and gapless after the three set-up versions");
        for (final Map.Entry<String, Set<Integer>> subject : versionsBySubject.entrySet()) {
            final Set<Integer> gapless = new TreeSet<>();
            for (int version = 2; version <= subject.getValue().size() + 1; version++) {
                gapless.add(version);
            }
            assertEquals(gapless, subject.getValue(), "versions of " + subject.getKey() + " are gapless");
        }

        try (MetadataCatalogReader reader = MetadataCatalogReader.start(config, TOPIC)) {
            assertTrue(reader.awaitReady(Duration.ofSeconds(60)));
            final MetadataCatalog catalog = reader.catalog();
            assertEquals(DATASETS + accepted.size(), catalog.schemaVersionCount());
            for (final RegistrationResult result : accepted) {
                final SchemaVersion written = result.schemaVersion().orElseThrow();
                final SchemaVersion stored = catalog.schemaById(written.id()).orElseThrow();
                assertEquals(written.subject(), stored.subject());
                assertEquals(written.version(), stored.version());
                assertEquals(SchemaIdentity.of(TestRegistry.parse(result.request().schemaText().orElseThrow())),
                    stored.identity());
            }
        }
    }

    @Test
    void concurrentRegistrationsOfTheSameSchemaShareOneVersion() throws Exception {
        final String topic = TOPIC + "_same";
        final Map<String, Object> config = SharedKafkaBroker.clientConfig();
        try (Admin admin = Admin.create(config)) {
            MetadataTopic.ensureExists(admin, topic);
        }
        final CyclicBarrier start = new CyclicBarrier(WRITERS);
        final ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        final List<Future<RegistrationResult>> futures = new ArrayList<>();
        for (int writer = 0; writer < WRITERS; writer++) {
            futures.add(pool.submit(() -> {
                try (MetadataWriter metadataWriter = new MetadataWriter(config, topic)) {
                    start.await();
                    return metadataWriter.register(RegistrationRequest.schema("same-value", schema("same", "")));
                }
            }));
        }
        final Set<Integer> ids = new HashSet<>();
        int created = 0;
        for (final Future<RegistrationResult> future : futures) {
            final RegistrationResult result = future.get(2, TimeUnit.MINUTES);
            assertTrue(result.accepted());
            ids.add(result.schemaVersion().orElseThrow().id());
            created += result.schemaVersionCreated() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(Set.of(1), ids);
        assertEquals(1, created);
    }
}
