package dev.onepipe.core.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.health.ProgressWatch;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataCatalogReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;

/** Reads the registry once, for commands that take {@code --dataset} and need the dataset's metadata. */
public final class RegisteredDatasets {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private RegisteredDatasets() {
    }

    /**
     * Every schema and dataset registered now, read from the metadata topic to its end; an empty catalog if the metadata
     * topic does not exist. Reading never creates the registry: an empty registry created by a read would hand out
     * schema ids that records on the dataset topics may already carry.
     */
    public static MetadataCatalog load(OnepipeConfig config) {
        String topic = TopologyContext.metadataTopic(config);
        Map<String, Object> clientConfig = KafkaClientSettings.common(config);
        try (Admin admin = Admin.create(clientConfig)) {
            if (!admin.listTopics(new ListTopicsOptions().listInternal(false)).names().get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS).contains(topic)) {
                return new MetadataCatalog();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot reach Kafka at " + config.bootstrapServers() + " to read the metadata topic " + topic + ": "
                    + ProgressWatch.describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Cannot reach Kafka at " + config.bootstrapServers() + " to read the metadata topic " + topic
                    + ": no answer within " + READY_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while looking for the metadata topic " + topic, e);
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
                "Dataset '" + dataset + "' is not registered" + (catalog.datasets().isEmpty() ? " (the registry is empty)"
                        : "; registered datasets: " + catalog.datasets().stream().map(DatasetVersion::name)
                                .collect(java.util.stream.Collectors.joining(", ")))
                        + ". Register it with 'onepipe metadata register --dataset " + dataset + " --schema <file.avsc> --metadata <file.json>'"));
    }
}
