package dev.onepipe.dedup.topology;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.RegistrationRequest;
import org.apache.avro.Schema;

/**
 * What the dedup topology needs in the cluster before it starts ({@link DedupTopology#provision}): the clean topic
 * (compacted, as many partitions as the input) and the conflicts topic, created when missing, and the clean dataset
 * registered with the input dataset's latest schema. Registering is idempotent, and registers a new schema version of
 * the clean dataset when the input's schema has evolved since the last start.
 */
final class CleanTopicProvisioning {

    private CleanTopicProvisioning() {
    }

    /**
     * @throws IllegalArgumentException when the input topic is missing
     * @throws IllegalStateException    when a topic cannot be created or the registry refuses the clean dataset
     */
    static void provision(TopologyContext context, TopologyProvisioning provisioning, DatasetMetadata source, Schema schema) {
        int partitions = provisioning.partitions(source.topic());
        DatasetMetadata clean = CleanDataset.metadataOf(source);
        provisioning.registerDataset(RegistrationRequest.dataset(clean, schema));
        provisioning.createTopic(clean.topic(), partitions, true);
        provisioning.createTopic(CleanDataset.conflictsTopicOf(source.name()), partitions, false);
    }
}
