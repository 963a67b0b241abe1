package dev.onepipe.archive;

import dev.onepipe.core.TopologyProvisioning;
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

    /**
     * Describes {@code topic} through the topology's provisioning (the cluster's under the runner).
     *
     * @throws IllegalArgumentException if the topic does not exist
     */
    public static InputTopic describe(TopologyProvisioning provisioning, String topic) {
        return new InputTopic(topic, provisioning.partitions(topic),
                provisioning.topicConfig(topic, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).orElse(CREATE_TIME));
    }
}
