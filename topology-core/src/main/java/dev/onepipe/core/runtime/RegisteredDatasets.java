package dev.onepipe.core.runtime;

import java.time.Duration;
import java.util.Map;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataCatalogReader;
import dev.onepipe.metadata.MetadataTopic;
import org.apache.kafka.clients.admin.Admin;

/** Reads the registry once, for commands that take {@code --dataset} and need the dataset's metadata. */
public final class RegisteredDatasets {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private RegisteredDatasets() {
    }

    /** Every schema and dataset registered now, read from the metadata topic to its end. */
    public static MetadataCatalog load(OnepipeConfig config) {
        String topic = TopologyContext.metadataTopic(config);
        Map<String, Object> clientConfig = KafkaClientSettings.common(config);
        try (Admin admin = Admin.create(clientConfig)) {
            MetadataTopic.ensureExists(admin, topic);
        }
        try (MetadataCatalogReader reader = MetadataCatalogReader.start(clientConfig, topic)) {
            if (!reader.awaitReady(READY_TIMEOUT)) {
                throw new IllegalStateException("Could not read the metadata topic " + topic + " within " + READY_TIMEOUT.toSeconds() + " s");
            }
            return reader.catalog().copy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the metadata topic " + topic, e);
        }
    }

    /** The latest metadata of {@code dataset}, or an error that says how to register it. */
    public static DatasetMetadata require(MetadataCatalog catalog, String dataset) {
        return catalog.dataset(dataset).map(DatasetVersion::metadata).orElseThrow(() -> new IllegalArgumentException(
                "Dataset '" + dataset + "' is not registered" + (catalog.datasetNames().isEmpty() ? " (the registry is empty)"
                        : "; registered datasets: " + String.join(", ", catalog.datasetNames()))
                        + ". Register it with 'onepipe metadata register --dataset " + dataset + " --schema <file.avsc> --metadata <file.json>'"));
    }
}
