package dev.onepipe.metadata;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;

/**
 * The registry's entry points for tools such as the {@code onepipe metadata} commands: register (schema only,
 * metadata only, or both), check (a dry run), list, show, and soft delete. Every call works on the committed state of
 * the metadata topic, read to its end; writes go through the {@link MetadataWriter}.
 */
public final class MetadataRegistry implements AutoCloseable {

    private final String topic;
    private final MetadataWriter writer;

    private MetadataRegistry(String topic, MetadataWriter writer) {
        this.topic = topic;
        this.writer = writer;
    }

    /** Connects to the default metadata topic, creating it if absent. */
    public static MetadataRegistry connect(Map<String, Object> clientConfig) {
        return connect(clientConfig, MetadataTopic.DEFAULT_NAME);
    }

    /**
     * Connects to a metadata topic, creating it if absent.
     *
     * @param clientConfig Kafka client settings, at least {@code bootstrap.servers}
     */
    public static MetadataRegistry connect(Map<String, Object> clientConfig, String topic) {
        try (Admin admin = Admin.create(clientConfig)) {
            MetadataTopic.ensureExists(admin, topic);
        }
        return new MetadataRegistry(topic, new MetadataWriter(clientConfig, topic));
    }

    /**
     * Connects to a metadata topic only if it exists, for commands that only read: a read never creates the registry
     * (an empty registry created by a read is one a later registration would take id 1 in).
     *
     * @return empty when the topic does not exist
     */
    public static Optional<MetadataRegistry> connectIfExists(Map<String, Object> clientConfig, String topic) {
        try (Admin admin = Admin.create(clientConfig)) {
            if (!admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic)) {
                return Optional.empty();
            }
        } catch (ExecutionException exception) {
            throw new IllegalStateException("Cannot list the topics to find the metadata topic " + topic + ": "
                + exception.getCause(), exception.getCause());
        } catch (TimeoutException exception) {
            throw new IllegalStateException("Kafka did not list its topics within 60 s", exception);
        } catch (InterruptedException exception) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while looking for the metadata topic " + topic, exception);
        }
        return Optional.of(new MetadataRegistry(topic, new MetadataWriter(clientConfig, topic)));
    }

    public String topic() {
        return topic;
    }

    /** Registers a schema, metadata, or both; returns the version and id, or the reasons for the rejection. */
    public RegistrationResult register(RegistrationRequest request) {
        return writer.register(request);
    }

    /** Registers several requests in one transaction; each has its own result. */
    public List<RegistrationResult> registerAll(List<RegistrationRequest> requests) {
        return writer.register(requests).results();
    }

    /** What {@link #register} would do, without writing anything. */
    public RegistrationResult check(RegistrationRequest request) {
        return writer.check(List.of(request)).result();
    }

    /** The current metadata of every dataset that is not soft-deleted, sorted by name. */
    public List<DatasetVersion> listDatasets() {
        return writer.readCatalog().datasets();
    }

    /** Every subject with at least one schema version, sorted. */
    public List<String> listSubjects() {
        return writer.readCatalog().subjects();
    }

    /** Every version of a subject, soft-deleted ones included. */
    public List<SchemaVersion> schemaVersions(String subject) {
        return writer.readCatalog().schemaVersions(subject);
    }

    /**
     * A dataset's metadata history and its value subject's versions, with the given schema version (or the latest
     * active one when {@code schemaVersion} is empty) in full.
     */
    public Optional<DatasetDescription> showDataset(String name, OptionalInt schemaVersion) {
        MetadataCatalog catalog = writer.readCatalog();
        return catalog.latestDatasetVersion(name).map(current -> {
            String subject = current.metadata().valueSubject();
            SchemaVersion shown = schemaVersion.isPresent()
                ? catalog.schemaVersion(subject, schemaVersion.getAsInt()).orElse(null)
                : catalog.latestSchemaVersion(subject).orElse(null);
            return new DatasetDescription(current, catalog.datasetVersions(name), shown, catalog.schemaVersions(subject));
        });
    }

    /** Soft-deletes a dataset. */
    public RegistrationResult deleteDataset(String name) {
        return writer.register(RegistrationRequest.deleteDataset(name));
    }

    /** Soft-deletes a schema version; data written with it stays readable. */
    public RegistrationResult deleteSchemaVersion(String subject, int version) {
        return writer.register(RegistrationRequest.deleteSchemaVersion(subject, version));
    }

    /** A snapshot of the committed state of the topic. */
    public MetadataCatalog catalog() {
        return writer.readCatalog();
    }

    @Override
    public void close() {
        writer.close();
    }
}
