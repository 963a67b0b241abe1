package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** A dataset's topics on a real broker: created from its topic settings, or compared with them when they exist. */
class DatasetTopicProvisionerIT {

    private static List<String> lines(final List<DatasetTopicProvisioner.TopicOutcome> outcomes) {
        return outcomes.stream().map(DatasetTopicProvisioner.TopicOutcome::describe).toList();
    }

    @Test
    void createsTheTopicAndItsDeadLetterTopicThenFindsThemMatching() throws Exception {
        final DatasetMetadata metadata = DatasetMetadata.builder("provisioned").uniqueKey("id")
            .topicSettings(TopicSettings.of(3, null, 86_400_000L, "compact")).build();
        try (Admin admin = Admin.create(SharedKafkaBroker.clientConfig())) {
            assertEquals(List.of(
                "created topic provisioned (3 partitions, replication factor 1, retention.ms 86400000, cleanup.policy compact)",
                "created topic provisioned.dlq (3 partitions, replication factor 1, retention.ms 86400000, cleanup.policy delete)"),
                lines(DatasetTopicProvisioner.provision(admin, metadata)));
            final Map<String, TopicDescription> topics = describeWhenKnown(admin, List.of("provisioned", "provisioned.dlq"));
            assertEquals(3, topics.get("provisioned").partitions().size());
            assertEquals(3, topics.get("provisioned.dlq").partitions().size());

            assertEquals(List.of(
                "topic provisioned exists and matches (3 partitions, replication factor 1, retention.ms 86400000,"
                    + " cleanup.policy compact)",
                "topic provisioned.dlq exists and matches (3 partitions, replication factor 1, retention.ms 86400000,"
                    + " cleanup.policy delete)"),
                lines(DatasetTopicProvisioner.provision(admin, metadata)));
        }
    }

    @Test
    void anExistingTopicIsLeftAsItIsAndEveryDifferenceIsSaid() throws Exception {
        try (Admin admin = Admin.create(SharedKafkaBroker.clientConfig())) {
            admin.createTopics(List.of(new NewTopic("preexisting", 2, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact", TopicConfig.RETENTION_MS_CONFIG, "1000")))).all().get();
            describeWhenKnown(admin, List.of("preexisting"));
            final DatasetMetadata metadata = DatasetMetadata.builder("preexisting").uniqueKey("id").build();

            final List<String> lines = lines(DatasetTopicProvisioner.provision(admin, metadata));

            assertEquals(List.of(
                "topic preexisting exists and differs from the dataset's topic settings, left unchanged: partitions 2"
                    + " (settings: 4); retention.ms 1000 (settings: 604800000); cleanup.policy compact (settings: delete)",
                "created topic preexisting.dlq (4 partitions, replication factor 1, retention.ms 604800000, cleanup.policy delete)"),
                lines);
            assertEquals(2, describeWhenKnown(admin, List.of("preexisting")).get("preexisting").partitions().size(),
                "never changed");
        }
    }

    /**
     * When {@code provision} returns, the broker leads every new partition: a ListOffsets, which only a partition's
     * leader answers, succeeds at the first try (the admin client told not to retry). Right after {@code CreateTopics}
     * it may not, and an idempotent producer's first batch refused then was lost behind its next one (2 of 1,000
     * records at 16 partitions in {@code bench campaign-metrics}).
     */
    @Test
    void theNewPartitionsHaveLeadersWhenProvisionReturns() throws Exception {
        final int partitions = 16;
        final DatasetMetadata metadata = DatasetMetadata.builder("provisioned-led").uniqueKey("id")
            .topicSettings(TopicSettings.of(partitions, null, 86_400_000L, "delete")).build();
        final Map<String, Object> noRetries = new java.util.HashMap<>(SharedKafkaBroker.clientConfig());
        noRetries.put(org.apache.kafka.clients.admin.AdminClientConfig.RETRIES_CONFIG, 0);
        try (Admin admin = Admin.create(SharedKafkaBroker.clientConfig()); Admin once = Admin.create(noRetries)) {
            DatasetTopicProvisioner.provision(admin, metadata);

            final Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            for (final String topic : List.of("provisioned-led.dlq", "provisioned-led")) {
                for (int partition = 0; partition < partitions; partition++) {
                    latest.put(new org.apache.kafka.common.TopicPartition(topic, partition), org.apache.kafka.clients.admin.OffsetSpec.latest());
                }
            }
            assertEquals(2 * partitions, once.listOffsets(latest).all().get().size());
        }
    }

    /** A topic just created reaches every broker's metadata a moment later: ask until it is known, up to 120 s. */
    private static Map<String, TopicDescription> describeWhenKnown(final Admin admin, final List<String> topics)
        throws Exception {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get();
            } catch (final java.util.concurrent.ExecutionException exception) {
                if (!(exception.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                    || System.nanoTime() > deadline) {
                    throw exception;
                }
                Thread.sleep(100);
            }
        }
    }
}
