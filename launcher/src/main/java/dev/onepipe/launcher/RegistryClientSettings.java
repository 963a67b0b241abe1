package dev.onepipe.launcher;

import java.util.HashMap;
import java.util.Map;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.OnepipeConfig;

/** The Kafka client settings and metadata topic a registry command works with, from the layered configuration. */
final class RegistryClientSettings {

    private final Map<String, Object> clientConfig;
    private final String metadataTopic;

    private RegistryClientSettings(final Map<String, Object> clientConfig, final String metadataTopic) {
        this.clientConfig = clientConfig;
        this.metadataTopic = metadataTopic;
    }

    static RegistryClientSettings from(final ConfigOptions options) {
        final OnepipeConfig config = options.config(Map.of());
        final Map<String, Object> clientConfig = new HashMap<>();
        config.kafkaProperties().forEach((key, value) -> clientConfig.put(key.toString(), value));
        clientConfig.put(OnepipeConfig.BOOTSTRAP_SERVERS, config.bootstrapServers());
        return new RegistryClientSettings(clientConfig, TopologyContext.metadataTopic(config));
    }

    Map<String, Object> clientConfig() {
        return clientConfig;
    }

    String metadataTopic() {
        return metadataTopic;
    }
}
