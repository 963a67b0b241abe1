package dev.onepipe.archive;

import java.util.HashMap;
import java.util.Map;

import dev.onepipe.core.config.OnepipeConfig;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Kafka client configuration for the archive's commands, from onepipe's layered configuration. */
final class ArchiveClients {

    private ArchiveClients() {
    }

    /**
     * The bootstrap servers and the settings every client shares (security, timeouts): the configured keys
     * that admin clients, consumers and producers all know.
     */
    static Map<String, Object> kafkaConfig(OnepipeConfig config) {
        Map<String, Object> kafka = new HashMap<>();
        config.kafkaProperties().forEach((key, value) -> {
            String name = key.toString();
            if (AdminClientConfig.configNames().contains(name) && ConsumerConfig.configNames().contains(name)
                    && ProducerConfig.configNames().contains(name)) {
                kafka.put(name, value);
            }
        });
        kafka.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return kafka;
    }
}
