package dev.onepipe.metadata;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata topic: one partition (so every entry is totally ordered and one writer can read it to its end),
 * {@code cleanup.policy=compact} (the latest entry per key is kept forever), and {@code min.insync.replicas} 2 when
 * the cluster has at least three brokers.
 */
public final class MetadataTopic {

    public static final String DEFAULT_NAME = "_onepipe_metadata";
    public static final int PARTITION = 0;
    private static final Logger LOG = LoggerFactory.getLogger(MetadataTopic.class);
    private static final int PREFERRED_REPLICATION_FACTOR = 3;

    private MetadataTopic() {
    }

    public static TopicPartition partition(String topic) {
        return new TopicPartition(topic, PARTITION);
    }

    /**
     * Creates the topic if it does not exist, with one partition, compaction, and replication factor
     * min(3, number of brokers). An existing topic must have one partition and compaction enabled.
     *
     * @throws IllegalStateException when an existing topic has the wrong shape
     */
    public static void ensureExists(Admin admin, String topic) {
        try {
            Optional<TopicDescription> existing = describe(admin, topic);
            if (existing.isPresent()) {
                verify(admin, topic, existing.get());
                return;
            }
            Collection<Node> brokers = admin.describeCluster().nodes().get();
            short replicationFactor = (short) Math.max(1, Math.min(PREFERRED_REPLICATION_FACTOR, brokers.size()));
            Map<String, String> configs = replicationFactor >= PREFERRED_REPLICATION_FACTOR
                ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2")
                : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, replicationFactor).configs(configs))).all().get();
                PartitionLeaders.await(admin, List.of(topic));
                LOG.info("Created metadata topic {} (1 partition, compacted, replication factor {})", topic,
                    replicationFactor);
            } catch (ExecutionException exception) {
                if (!(exception.getCause() instanceof TopicExistsException)) {
                    throw exception;
                }
                verify(admin, topic, describe(admin, topic).orElseThrow());
            }
        } catch (ExecutionException exception) {
            throw new IllegalStateException("Could not create or describe metadata topic " + topic + ": "
                + exception.getCause().getMessage(), exception.getCause());
        } catch (InterruptedException exception) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating metadata topic " + topic, exception);
        }
    }

    private static Optional<TopicDescription> describe(Admin admin, String topic)
        throws ExecutionException, InterruptedException {
        if (!admin.listTopics().names().get().contains(topic)) {
            return Optional.empty();
        }
        return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic));
    }

    private static void verify(Admin admin, String topic, TopicDescription description)
        throws ExecutionException, InterruptedException {
        if (description.partitions().size() != 1) {
            throw new IllegalStateException("Metadata topic " + topic + " has " + description.partitions().size()
                + " partitions; it must have exactly one so entries are totally ordered");
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        ConfigEntry cleanupPolicy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (cleanupPolicy == null || !cleanupPolicy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)
            || cleanupPolicy.value().contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            throw new IllegalStateException("Metadata topic " + topic + " has cleanup.policy="
                + (cleanupPolicy == null ? "unset" : cleanupPolicy.value())
                + "; it must be compact only, or registered entries would expire");
        }
    }
}
