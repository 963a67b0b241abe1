package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A catalog reader restarted over a topic holding 10,000 schema versions is ready with all of them. */
class CatalogBootstrapIT {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogBootstrapIT.class);
    private static final String TOPIC = "_onepipe_metadata_bootstrap";
    private static final int DATASETS = 100;
    private static final int VERSIONS_PER_DATASET = 100;
    private static final int REQUESTS_PER_TRANSACTION = 2_000;

    /** Version {@code version} of a dataset's schema: the fixed fields plus one field with a default, named after it. */
    static String schema(final int dataset, final int version) {
        return "{\"type\": \"record\", \"name\": \"Event\", \"namespace\": \"bootstrap.d" + dataset + "\", \"fields\": ["
            + "{\"name\": \"event_id\", \"type\": \"string\"},"
            + "{\"name\": \"occurred_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}},"
            + "{\"name\": \"field_" + version + "\", \"type\": \"long\", \"default\": " + version + "}]}";
    }

    static List<RegistrationRequest> requests(final int datasets, final int versionsPerDataset) {
        final List<RegistrationRequest> requests = new ArrayList<>();
        for (int version = 1; version <= versionsPerDataset; version++) {
            for (int dataset = 0; dataset < datasets; dataset++) {
                if (version == 1) {
                    requests.add(RegistrationRequest.dataset(DatasetMetadata.builder("dataset-" + dataset)
                        .uniqueKey("event_id").eventTimeField("occurred_at").build(), schema(dataset, version)));
                } else {
                    requests.add(RegistrationRequest.datasetSchema("dataset-" + dataset, schema(dataset, version)));
                }
            }
        }
        return requests;
    }

    @Test
    void restartedReaderIsReadyWithTenThousandVersions() throws Exception {
        final Map<String, Object> config = SharedKafkaBroker.clientConfig();
        try (Admin admin = Admin.create(config)) {
            MetadataTopic.ensureExists(admin, TOPIC);
        }
        final List<RegistrationRequest> requests = requests(DATASETS, VERSIONS_PER_DATASET);
        final long writeStarted = System.nanoTime();
        try (MetadataWriter writer = new MetadataWriter(config, TOPIC)) {
            for (int from = 0; from < requests.size(); from += REQUESTS_PER_TRANSACTION) {
                final RegistrationPlan plan =
                    writer.register(requests.subList(from, Math.min(requests.size(), from + REQUESTS_PER_TRANSACTION)));
                assertTrue(plan.allAccepted(), () -> plan.results().stream().filter(result -> !result.accepted())
                    .findFirst().map(RegistrationResult::summary).orElse(""));
            }
        }
        LOG.info("Registered {} requests in {} ms", requests.size(), (System.nanoTime() - writeStarted) / 1_000_000);

        try (MetadataCatalogReader first = MetadataCatalogReader.start(config, TOPIC)) {
            assertTrue(first.awaitReady(Duration.ofSeconds(120)));
            assertEquals(DATASETS * VERSIONS_PER_DATASET, first.catalog().schemaVersionCount());
        }
        try (MetadataCatalogReader restarted = MetadataCatalogReader.start(config, TOPIC)) {
            assertTrue(restarted.awaitReady(Duration.ofSeconds(120)));
            final MetadataCatalog catalog = restarted.catalog();
            LOG.info("Restarted catalog reader ready with {} schema versions in {} ms", catalog.schemaVersionCount(),
                restarted.timeToReady().orElseThrow().toMillis());
            assertEquals(DATASETS * VERSIONS_PER_DATASET, catalog.schemaVersionCount());
            assertEquals(DATASETS * VERSIONS_PER_DATASET, catalog.maximumSchemaId());
            assertEquals(DATASETS, catalog.datasets().size());
            assertEquals(0, catalog.skippedRecordCount());
            for (final int dataset : new int[] {0, 42, 99}) {
                for (final int version : new int[] {1, 57, 100}) {
                    final SchemaVersion schemaVersion = catalog.schemaForDataset("dataset-" + dataset, version).orElseThrow();
                    assertEquals(version, schemaVersion.version());
                    // requests were issued version by version across datasets, so ids follow that order
                    assertEquals((version - 1) * DATASETS + dataset + 1, schemaVersion.id());
                    assertEquals(SchemaIdentity.of(TestRegistry.parse(schema(dataset, version))), schemaVersion.identity());
                    assertEquals(schemaVersion, catalog.schemaById(schemaVersion.id()).orElseThrow());
                }
                assertEquals(VERSIONS_PER_DATASET,
                    catalog.latestSchemaForDataset("dataset-" + dataset).orElseThrow().version());
            }
        }
    }
}
