package dev.onepipe.reconciliation;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code onepipe run reconciliation} needs in the cluster before it starts, done once per start and idempotent:
 * the dataset {@value ReconciliationDataset#NAME} registered in the metadata registry with its Avro schema, and its
 * topic created when missing, compacted (an upsert view: one live record per dataset, systems and bucket), one
 * partition (verdicts are few: one per partition-hour and per consuming application).
 */
public final class ReconciliationProvisioning {

    private static final Logger LOG = LoggerFactory.getLogger(ReconciliationProvisioning.class);
    private static final long TIMEOUT_SECONDS = 60;
    private static final int PARTITIONS = 1;

    private ReconciliationProvisioning() {
    }

    /**
     * Registers the verdicts' dataset and creates its topic.
     *
     * @throws IllegalStateException when the registry refuses the dataset or the topic cannot be created in 60 s
     */
    public static void provision(TopologyContext context) {
        Map<String, Object> clientConfig = ReconciliationClients.kafkaConfig(context.config());
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig, context.metadataTopic())) {
            RegistrationResult result = registry.register(RegistrationRequest.dataset(ReconciliationDataset.METADATA, ReconciliationDataset.SCHEMA));
            if (!result.accepted()) {
                throw new IllegalStateException("Cannot register the dataset " + ReconciliationDataset.NAME + ": " + result.summary());
            }
            LOG.info("Verdicts dataset: {}", result.summary());
        }
        NewTopic topic = new NewTopic(ReconciliationDataset.NAME, Optional.of(PARTITIONS), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try (Admin admin = Admin.create(clientConfig)) {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("Created topic {} (compacted)", ReconciliationDataset.NAME);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + ReconciliationDataset.NAME + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topic " + ReconciliationDataset.NAME, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + ReconciliationDataset.NAME, e);
        }
    }
}
