package dev.onepipe.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a topology of this module needs in the cluster before it starts: its input topics (checked, never created),
 * its output, late, unjoined and dead-letter topics and the blocklist (created when missing), and its output dataset
 * (registered when missing, so {@code onepipe run} works on a fresh cluster).
 */
final class Provisioning implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Provisioning.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final TopologyContext context;
    private final Map<String, Object> clientConfig;
    private final Admin admin;

    Provisioning(TopologyContext context) {
        this.context = context;
        this.clientConfig = clientConfig(context.config());
        this.admin = Admin.create(clientConfig);
    }

    /** Client settings for admin, producer and consumer: the bootstrap servers and every common client setting (security...). */
    static Map<String, Object> clientConfig(OnepipeConfig config) {
        return KafkaClientSettings.common(config);
    }

    /** Fails, naming them, when any of {@code topics} does not exist. */
    void requireTopics(List<String> topics) {
        Set<String> existing = call(admin.listTopics().names());
        List<String> missing = new ArrayList<>(topics.stream().filter(topic -> !existing.contains(topic)).toList());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Topic(s) " + missing + " do not exist on " + clientConfig.get("bootstrap.servers")
                    + ": create them (or register their datasets) first");
        }
    }

    int partitionsOf(String topic) {
        Map<String, TopicDescription> descriptions = call(admin.describeTopics(List.of(topic)).allTopicNames());
        return descriptions.get(topic).partitions().size();
    }

    /** Creates {@code topic} with the broker's default replication factor unless it exists. */
    void createIfAbsent(String topic, int partitions, boolean compacted) {
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty());
        if (compacted) {
            newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        try {
            admin.createTopics(List.of(newTopic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("Created topic {} ({} partitions{})", topic, partitions, compacted ? ", compacted" : "");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + topic, e);
        }
    }

    /** Registers {@code dataset} under {@code name} unless the catalog has it; returns its topic. */
    String registerIfAbsent(BundledDataset dataset, String name) {
        MetadataCatalog catalog = context.catalog();
        if (catalog.dataset(name).isPresent()) {
            return catalog.dataset(name).get().metadata().topic();
        }
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig, context.metadataTopic())) {
            RegistrationResult result = registry.register(dataset.registrationRequest(name));
            if (!result.accepted()) {
                throw new IllegalStateException("Cannot register output dataset " + name + ": " + result.summary());
            }
            LOG.info("Registered output dataset: {}", result.summary());
            return result.datasetVersion().orElseThrow().metadata().topic();
        }
    }

    private static <T> T call(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka admin call failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka admin call timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
