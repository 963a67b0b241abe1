package dev.onepipe.metadata.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.InProcessKafkaBroker;
import dev.onepipe.metadata.MetadataCatalogReader;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.metadata.MetadataWriter;
import dev.onepipe.metadata.RegistrationRequest;
import org.apache.kafka.clients.admin.Admin;

/**
 * Registrations per second through the fenced transactional writer, and catalog bootstrap time for 10,000 schema
 * versions, against a real in-process broker. A small program rather than JMH: each measurement is seconds long and
 * needs a broker. Run with the {@code bench} profile and {@code -Dbench.main=dev.onepipe.metadata.bench.RegistryBenchmark}.
 */
public final class RegistryBenchmark {

    private static final int DATASETS = 100;
    private static final int VERSIONS_PER_DATASET = 100;
    private static final int SEQUENTIAL_REGISTRATIONS = 500;
    private static final int BATCH_SIZE = 2_000;
    private static final int BOOTSTRAP_RUNS = 7;

    private RegistryBenchmark() {
    }

    public static void main(final String[] arguments) throws Exception {
        try (InProcessKafkaBroker broker = InProcessKafkaBroker.start()) {
            final Map<String, Object> config = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(config)) {
                MetadataTopic.ensureExists(admin, "bench-sequential");
                MetadataTopic.ensureExists(admin, "bench-batched");
            }
            sequential(config);
            final List<RegistrationRequest> requests = requests();
            try (MetadataWriter writer = new MetadataWriter(config, "bench-batched")) {
                final long started = System.nanoTime();
                for (int from = 0; from < requests.size(); from += BATCH_SIZE) {
                    writer.register(requests.subList(from, Math.min(requests.size(), from + BATCH_SIZE)));
                }
                final double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("batched registrations: %d in %.2f s = %.0f per second (%d per transaction)%n",
                    requests.size(), seconds, requests.size() / seconds, BATCH_SIZE);
            }
            final List<Long> millis = new ArrayList<>();
            for (int run = 0; run < BOOTSTRAP_RUNS; run++) {
                try (MetadataCatalogReader reader = MetadataCatalogReader.start(config, "bench-batched")) {
                    if (!reader.awaitReady(Duration.ofMinutes(2)) || reader.catalog().schemaVersionCount() != requests.size()) {
                        throw new IllegalStateException("catalog not ready with every version");
                    }
                    millis.add(reader.timeToReady().orElseThrow().toMillis());
                }
            }
            Collections.sort(millis);
            System.out.printf("catalog bootstrap of %d schema versions: runs %s ms, median %d ms%n", requests.size(),
                millis, millis.get(millis.size() / 2));
        }
    }

    private static void sequential(final Map<String, Object> config) {
        try (MetadataWriter writer = new MetadataWriter(config, "bench-sequential")) {
            writer.register(RegistrationRequest.dataset(DatasetMetadata.builder("sequential").uniqueKey("event_id").build(),
                schema(0, 0)));
            final long started = System.nanoTime();
            for (int version = 1; version <= SEQUENTIAL_REGISTRATIONS; version++) {
                writer.register(RegistrationRequest.datasetSchema("sequential", schema(0, version)));
            }
            final double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("sequential registrations (one transaction each): %d in %.2f s = %.0f per second%n",
                SEQUENTIAL_REGISTRATIONS, seconds, SEQUENTIAL_REGISTRATIONS / seconds);
        }
    }

    private static List<RegistrationRequest> requests() {
        final List<RegistrationRequest> requests = new ArrayList<>();
        for (int version = 1; version <= VERSIONS_PER_DATASET; version++) {
            for (int dataset = 0; dataset < DATASETS; dataset++) {
                if (version == 1) {
                    requests.add(RegistrationRequest.dataset(DatasetMetadata.builder("dataset-" + dataset)
                        .uniqueKey("event_id").build(), schema(dataset, version)));
                } else {
                    requests.add(RegistrationRequest.datasetSchema("dataset-" + dataset, schema(dataset, version)));
                }
            }
        }
        return requests;
    }

    private static String schema(final int dataset, final int version) {
        return "{\"type\": \"record\", \"name\": \"Event\", \"namespace\": \"bench.d" + dataset + "\", \"fields\": ["
            + "{\"name\": \"event_id\", \"type\": \"string\"},"
            + "{\"name\": \"occurred_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}},"
            + "{\"name\": \"field_" + version + "\", \"type\": \"long\", \"default\": " + version + "}]}";
    }
}
