package dev.onepipe.launcher;

import java.util.Map;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.config.OnepipeConfig;

/** The Kafka client settings ({@link KafkaClientSettings#common}) and metadata topic a registry command works with. */
final class RegistryClientSettings {

    private final Map<String, Object> clientConfig;
    private final String metadataTopic;

    private RegistryClientSettings(final Map<String, Object> clientConfig, final String metadataTopic) {
        this.clientConfig = clientConfig;
        this.metadataTopic = metadataTopic;
    }

    static RegistryClientSettings from(final ConfigOptions options) {
        final OnepipeConfig config = options.config(Map.of());
        return new RegistryClientSettings(KafkaClientSettings.common(config), TopologyContext.metadataTopic(config));
    }

    Map<String, Object> clientConfig() {
        return clientConfig;
    }

    String metadataTopic() {
        return metadataTopic;
    }
}
