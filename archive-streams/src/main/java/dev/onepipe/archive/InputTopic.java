package dev.onepipe.archive;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.config.OnepipeConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * What the archive needs to know about its input topic besides its records: the partition count (each
 * partition's share of the buffer budget) and the timestamp type (Kafka Streams does not pass it with a
 * record, and a topic's records all have the topic's type).
 *
 * @param name          the topic
 * @param partitions    its partition count
 * @param timestampType {@code CreateTime} or {@code LogAppendTime}
 */
public record InputTopic(String name, int partitions, String timestampType) {

    public static final String CREATE_TIME = "CreateTime";

    public static InputTopic describe(OnepipeConfig config, String topic) {
        try (Admin admin = Admin.create(KafkaClientSettings.admin(config))) {
            int partitions = admin.describeTopics(Set.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic).partitions().size();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<ConfigResource, Config> configs = admin.describeConfigs(Set.of(resource)).all().get(60, TimeUnit.SECONDS);
            ConfigEntry timestampType = configs.get(resource).get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            return new InputTopic(topic, partitions, timestampType == null ? CREATE_TIME : timestampType.value());
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot describe topic '" + topic + "' on " + config.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + config.bootstrapServers() + " did not describe topic '" + topic + "' within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing topic " + topic, e);
        }
    }
}
