package dev.onepipe.metadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Gives a registered dataset its topics: the dataset's topic with its {@link TopicSettings} and its dead-letter topic
 * {@code <topic>.dlq} (same partitions and replication factor, {@code cleanup.policy=delete}, same retention), so one
 * {@code onepipe metadata register} goes from a schema to a topic a producer can write to. A topic that already exists
 * is never changed: it is compared with the settings and every difference is reported (partitions, replication factor,
 * {@code retention.ms}, {@code cleanup.policy}).
 */
public final class DatasetTopicProvisioner {

    /** The suffix of a dead-letter topic, as topologies name it. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";
    private static final long TIMEOUT_SECONDS = 60;
    private static final int MAXIMUM_DEFAULT_REPLICATION = 3;

    /** What happened to one topic. */
    public record TopicOutcome(String topic, boolean created, List<String> differences, String settings) {

        /** One line for people: created, matches, or what differs. */
        public String describe() {
            if (created) {
                return "created topic " + topic + " (" + settings + ")";
            }
            if (differences.isEmpty()) {
                return "topic " + topic + " exists and matches (" + settings + ")";
            }
            return "topic " + topic + " exists and differs from the dataset's topic settings, left unchanged: "
                + String.join("; ", differences);
        }
    }

    private DatasetTopicProvisioner() {
    }

    /**
     * Creates the dataset's topic and dead-letter topic where missing, and checks existing ones.
     *
     * @return the outcome for the topic, then for the dead-letter topic
     * @throws IllegalStateException when the cluster cannot be asked or refuses to create a topic
     */
    public static List<TopicOutcome> provision(Admin admin, DatasetMetadata metadata) {
        try {
            TopicSettings settings = metadata.topicSettings();
            int brokers = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).size();
            short replication = (short) settings.replicationFactor()
                .orElse(Math.max(1, Math.min(MAXIMUM_DEFAULT_REPLICATION, brokers)));
            String retention = Long.toString(settings.retentionMs());
            boolean replicationGiven = settings.replicationFactor().isPresent();
            List<TopicOutcome> outcomes = new ArrayList<>();
            outcomes.add(ensure(admin, metadata.topic(), settings.partitions(), replication, replicationGiven,
                configs(retention, settings.cleanupPolicy())));
            outcomes.add(ensure(admin, metadata.topic() + DEAD_LETTER_SUFFIX, settings.partitions(), replication, replicationGiven,
                configs(retention, TopicConfig.CLEANUP_POLICY_DELETE)));
            return outcomes;
        } catch (ExecutionException exception) {
            throw new IllegalStateException("Could not create or check the topics of dataset " + metadata.name() + ": "
                + exception.getCause().getMessage(), exception.getCause());
        } catch (TimeoutException exception) {
            throw new IllegalStateException("Timed out creating or checking the topics of dataset " + metadata.name(),
                exception);
        } catch (InterruptedException exception) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the topics of dataset " + metadata.name(),
                exception);
        }
    }

    /** In a fixed order, so differences are always reported in the same order. */
    private static Map<String, String> configs(String retentionMs, String cleanupPolicy) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.RETENTION_MS_CONFIG, retentionMs);
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        return configs;
    }

    private static TopicOutcome ensure(Admin admin, String topic, int partitions, short replication,
                                       boolean replicationGiven, Map<String, String> configs)
        throws ExecutionException, InterruptedException, TimeoutException {
        String wanted = partitions + " partitions, replication factor " + replication + ", retention.ms "
            + configs.get(TopicConfig.RETENTION_MS_CONFIG) + ", cleanup.policy " + configs.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!existing.contains(topic)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, replication).configs(configs))).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                PartitionLeaders.await(admin, List.of(topic));
                return new TopicOutcome(topic, true, List.of(), wanted);
            } catch (ExecutionException exception) {
                if (!(exception.getCause() instanceof TopicExistsException)) {
                    throw exception;
                }
            }
        }
        return new TopicOutcome(topic, false, differences(admin, topic, partitions, replicationGiven ? replication : 0, configs),
            wanted);
    }

    /** A topic just created (by us or by a racing registration) is known to every broker a moment later: retry. */
    private static TopicDescription describe(Admin admin, String topic)
        throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException exception) {
                if (!(exception.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw exception;
                }
                Thread.sleep(100);
            }
        }
    }

    /** @param replication the replication factor the settings give; 0 when they leave it to the cluster */
    private static List<String> differences(Admin admin, String topic, int partitions,
                                            int replication, Map<String, String> configs)
        throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription description = describe(admin, topic);
        List<String> differences = new ArrayList<>();
        if (description.partitions().size() != partitions) {
            differences.add("partitions " + description.partitions().size() + " (settings: " + partitions + ")");
        }
        int actualReplication = description.partitions().get(0).replicas().size();
        if (replication != 0 && actualReplication != replication) {
            differences.add("replication factor " + actualReplication + " (settings: " + replication + ")");
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .get(resource);
        for (Map.Entry<String, String> wanted : configs.entrySet()) {
            String actual = Optional.ofNullable(config.get(wanted.getKey())).map(ConfigEntry::value).orElse(null);
            boolean same = TopicConfig.CLEANUP_POLICY_CONFIG.equals(wanted.getKey())
                ? actual != null && TopicSettings.normalizePolicy(actual).equals(wanted.getValue())
                : wanted.getValue().equals(actual);
            if (!same) {
                differences.add(wanted.getKey() + " " + actual + " (settings: " + wanted.getValue() + ")");
            }
        }
        return differences;
    }
}
