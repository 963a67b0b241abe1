package dev.onepipe.dedup.topology;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dedup topology needs in the cluster before it starts, as campaign-metrics provisions its output: the
 * clean topic (compacted, as many partitions as the input) and the conflicts topic, created when missing, and the
 * clean dataset registered with the input dataset's latest schema. Registering is idempotent, and registers a new
 * schema version of the clean dataset when the input's schema has evolved since the last start.
 */
final class CleanTopicProvisioning {

    private static final Logger LOG = LoggerFactory.getLogger(CleanTopicProvisioning.class);
    private static final long TIMEOUT_SECONDS = 60;

    private CleanTopicProvisioning() {
    }

    /**
     * @throws IllegalStateException when the input topic is missing, a topic cannot be created or the registry refuses
     *                               the clean dataset
     */
    static void provision(TopologyContext context, DatasetMetadata source, Schema schema) {
        Map<String, Object> clientConfig = clientConfig(context.config());
        DatasetMetadata clean = CleanDataset.metadataOf(source);
        try (Admin admin = Admin.create(clientConfig)) {
            int partitions = call(admin.describeTopics(List.of(source.topic())).allTopicNames(), "describe topic " + source.topic())
                    .get(source.topic()).partitions().size();
            register(clientConfig, context.metadataTopic(), clean, schema);
            createIfAbsent(admin, clean.topic(), partitions, true);
            createIfAbsent(admin, CleanDataset.conflictsTopicOf(source.name()), partitions, false);
        }
    }

    private static void register(Map<String, Object> clientConfig, String metadataTopic, DatasetMetadata clean, Schema schema) {
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig, metadataTopic)) {
            RegistrationResult result = registry.register(RegistrationRequest.dataset(clean, schema));
            if (!result.accepted()) {
                throw new IllegalStateException("Cannot register the clean dataset " + clean.name() + ": " + result.summary());
            }
            LOG.info("Clean dataset: {}", result.summary());
        }
    }

    private static void createIfAbsent(Admin admin, String topic, int partitions, boolean compacted) {
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

    /** Admin, producer and consumer settings: the bootstrap servers and every common client setting (security...). */
    static Map<String, Object> clientConfig(OnepipeConfig config) {
        Map<String, Object> clientConfig = new HashMap<>();
        config.kafkaProperties().forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key.toString())) {
                clientConfig.put(key.toString(), value);
            }
        });
        clientConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return clientConfig;
    }

    private static <T> T call(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out trying to " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted trying to " + what, e);
        }
    }
}
