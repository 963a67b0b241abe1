package dev.onepipe.core;

import java.util.Collection;
import java.util.Optional;

import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.RegistrationRequest;

/**
 * What a topology may do to the cluster before it starts, in {@link OnepipeTopology#provision}: look at its input
 * topics, create the topics it writes, register the datasets it publishes. The runner ({@code TopologyRunner.start})
 * hands over one that talks to Kafka and the metadata topic; the test kit ({@code OnepipeTestDriver}) one that works
 * offline: it registers into the driver's catalog, creates nothing, and describes every topic as having
 * {@link #OFFLINE_PARTITIONS} partition and {@code CreateTime} timestamps.
 */
public interface TopologyProvisioning {

    /** The partition count the offline provisioning of the test kit reports for every topic. */
    int OFFLINE_PARTITIONS = 1;

    /** True under the test kit: nothing reaches a cluster, so checks of other systems (an S3 bucket) should be skipped. */
    boolean offline();

    /**
     * Fails, naming them, when any of {@code topics} does not exist.
     *
     * @throws IllegalArgumentException naming the missing topics
     */
    void requireTopics(Collection<String> topics);

    /**
     * The partition count of an existing {@code topic}.
     *
     * @throws IllegalArgumentException if the topic does not exist
     */
    int partitions(String topic);

    /** A topic-level setting of an existing {@code topic} (e.g. {@code message.timestamp.type}), empty if unset. */
    Optional<String> topicConfig(String topic, String key);

    /**
     * Creates {@code topic} with {@code partitions} partitions and the broker's default replication factor, compacted
     * ({@code cleanup.policy=compact}) when asked, unless it exists; an existing topic is left as it is.
     *
     * @throws IllegalStateException if the broker refuses to create it
     */
    void createTopic(String topic, int partitions, boolean compacted);

    /**
     * Registers a dataset (or a new schema version of one) through the registry's single writer, and makes it visible
     * in the context's catalog at once, so {@code addTo} can resolve it. Registering what is already registered changes
     * nothing and returns the current version.
     *
     * @return the registered dataset version
     * @throws IllegalStateException if the registry refuses the registration, with its reasons
     */
    DatasetVersion registerDataset(RegistrationRequest request);
}
