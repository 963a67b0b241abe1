package dev.onepipe.core.runtime;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning {@link TopologyRunner} hands to {@code OnepipeTopology.provision}: Kafka's {@link Admin} for
 * topics and the registry's single writer ({@link MetadataRegistry}) for datasets, with the configuration's client
 * settings (security included). Each admin call waits at most {@value #TIMEOUT_SECONDS} s.
 */
final class ClusterProvisioning implements TopologyProvisioning, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterProvisioning.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final TopologyContext context;
    private Admin admin;

    ClusterProvisioning(TopologyContext context) {
        this.context = context;
    }

    @Override
    public boolean offline() {
        return false;
    }

    @Override
    public void requireTopics(Collection<String> topics) {
        Set<String> existing = call(admin().listTopics().names(), "list topics");
        List<String> missing = topics.stream().filter(topic -> !existing.contains(topic)).distinct().toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Topic(s) " + missing + " do not exist on " + context.config().bootstrapServers()
                    + ": create them (or register their datasets) first");
        }
    }

    @Override
    public int partitions(String topic) {
        try {
            return admin().describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalArgumentException("Topic '" + topic + "' does not exist on " + context.config().bootstrapServers(), e.getCause());
            }
            throw failed("describe topic " + topic, e);
        } catch (TimeoutException | InterruptedException e) {
            throw failed("describe topic " + topic, e);
        }
    }

    @Override
    public Optional<String> topicConfig(String topic, String key) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Map<ConfigResource, Config> configs = call(admin().describeConfigs(Set.of(resource)).all(), "describe the configuration of topic " + topic);
        ConfigEntry entry = configs.get(resource).get(key);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.value());
    }

    @Override
    public void createTopic(String topic, int partitions, boolean compacted) {
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty());
        if (compacted) {
            newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        try {
            admin().createTopics(List.of(newTopic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            PartitionLeaders.await(admin(), List.of(topic));
            LOG.info("Created topic {} ({} partitions{})", topic, partitions, compacted ? ", compacted" : "");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException | InterruptedException e) {
            throw failed("create topic " + topic, e);
        }
    }

    @Override
    public DatasetVersion registerDataset(RegistrationRequest request) {
        try (MetadataRegistry registry = MetadataRegistry.connect(KafkaClientSettings.common(context.config()), context.metadataTopic())) {
            RegistrationResult result = registry.register(request);
            if (!result.accepted()) {
                throw new IllegalStateException("Cannot register " + request + ": " + result.summary());
            }
            LOG.info("Registered: {}", result.summary());
            result.schemaVersion().ifPresent(context.catalog()::apply);
            DatasetVersion version = result.datasetVersion().orElseThrow(() -> new IllegalArgumentException(request + " registers no dataset"));
            context.catalog().apply(version);
            return version;
        }
    }

    private Admin admin() {
        if (admin == null) {
            admin = Admin.create(KafkaClientSettings.admin(context.config()));
        }
        return admin;
    }

    private static <T> T call(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            throw failed(what, e);
        }
    }

    private static IllegalStateException failed(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("Interrupted while trying to " + what, e);
        }
        if (e instanceof TimeoutException) {
            return new IllegalStateException("Kafka did not answer within " + TIMEOUT_SECONDS + " s when asked to " + what, e);
        }
        return new IllegalStateException("Cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
