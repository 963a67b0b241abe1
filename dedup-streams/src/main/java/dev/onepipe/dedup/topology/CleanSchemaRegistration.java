package dev.onepipe.dedup.topology;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the clean dataset's schema up with the merged states while the topology runs: before the first merged state of
 * a schema the clean dataset does not have yet is written to the clean topic, registers that schema as a new version of
 * {@code <dataset>-clean} (when the topology provisions the clean dataset) and waits until the topology's catalog knows
 * it, so the clean topic's serializer can write it. A schema is checked once per instance; the steady state is an
 * identity lookup. Thread-safe.
 */
final class CleanSchemaRegistration {

    private static final Logger LOG = LoggerFactory.getLogger(CleanSchemaRegistration.class);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final MetadataCatalog catalog;
    private final DatasetMetadata clean;
    private final Map<String, Object> clientConfig;
    private final String metadataTopic;
    private final boolean register;
    private final Set<Schema> known = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    /**
     * @param catalog       the topology's catalog (fed by the metadata topic)
     * @param clean         the clean dataset's metadata
     * @param clientConfig  settings to reach the metadata topic
     * @param register      false: only wait for someone else to register the schema ({@code onepipe.dedup.provision=false})
     */
    CleanSchemaRegistration(MetadataCatalog catalog, DatasetMetadata clean, Map<String, Object> clientConfig, String metadataTopic,
                            boolean register) {
        this.catalog = catalog;
        this.clean = clean;
        this.clientConfig = clientConfig;
        this.metadataTopic = metadataTopic;
        this.register = register;
    }

    /**
     * Makes sure {@code schema} is a registered version of the clean dataset known to the catalog.
     *
     * @throws IllegalStateException when the registry refuses it (e.g. not compatible with the clean dataset's versions)
     *                               or the catalog does not learn it within 60 s
     */
    void ensureRegistered(Schema schema) {
        if (known.contains(schema)) {
            return;
        }
        if (catalog.findSchemaVersion(clean.valueSubject(), schema).isEmpty()) {
            if (register) {
                try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig, metadataTopic)) {
                    RegistrationResult result = registry.register(RegistrationRequest.dataset(clean, schema));
                    if (!result.accepted()) {
                        throw new IllegalStateException("Cannot register the evolved schema of the clean dataset " + clean.name() + ": " + result.summary());
                    }
                    LOG.info("Clean dataset schema evolved: {}", result.summary());
                }
            }
            awaitKnown(schema);
        }
        known.add(schema);
    }

    private void awaitKnown(Schema schema) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (catalog.findSchemaVersion(clean.valueSubject(), schema).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The clean dataset " + clean.name() + " has no version with the schema of the merged state "
                        + schema.getFullName() + " after " + PATIENCE.toSeconds() + " s" + (register ? "" : ": register it (onepipe.dedup.provision is false)"));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted waiting for the clean dataset's schema", e);
            }
        }
    }
}
