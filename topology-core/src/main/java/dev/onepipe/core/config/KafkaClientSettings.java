package dev.onepipe.core.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The one place where onepipe's layered configuration becomes a Kafka client's configuration, for every admin client,
 * producer and consumer onepipe opens outside Kafka Streams (registry writer and reader, topic checks, produce,
 * replay, verify, provisioning): so a cluster that needs {@code security.protocol}, {@code sasl.*} and {@code ssl.*}
 * settings gets them in every client from one {@code --config} file or set of {@code ONEPIPE_*} variables.
 *
 * <p>The rule is Kafka Streams' own (see {@link StreamsConfig}'s client prefixes): an unprefixed key goes to every
 * client type that knows it, and a key with the client's prefix ({@code admin.}, {@code producer.},
 * {@code consumer.}) overrides it for that client type only. onepipe's own {@code onepipe.*} keys and the keys
 * that name one particular client ({@code client.id}, {@code group.id}, {@code group.instance.id},
 * {@code transactional.id}: the caller sets its own) are left out. {@code bootstrap.servers} is required.
 */
public final class KafkaClientSettings {

    private static final Set<String> PER_CLIENT = Set.of(CommonClientConfigs.CLIENT_ID_CONFIG, CommonClientConfigs.GROUP_ID_CONFIG,
            CommonClientConfigs.GROUP_INSTANCE_ID_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG);

    private KafkaClientSettings() {
    }

    /**
     * Settings every client type knows (bootstrap servers, security, timeouts), for code that hands one map to
     * several client types.
     *
     * @throws MissingConfigurationException if {@code bootstrap.servers} is not configured
     */
    public static Map<String, Object> common(OnepipeConfig config) {
        Map<String, Object> settings = new HashMap<>();
        config.kafkaProperties().forEach((key, value) -> {
            String name = key.toString();
            if (!PER_CLIENT.contains(name) && AdminClientConfig.configNames().contains(name) && ConsumerConfig.configNames().contains(name)
                    && ProducerConfig.configNames().contains(name)) {
                settings.put(name, value);
            }
        });
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return settings;
    }

    /**
     * An admin client's settings.
     *
     * @throws MissingConfigurationException if {@code bootstrap.servers} is not configured
     */
    public static Map<String, Object> admin(OnepipeConfig config) {
        return forClient(config, AdminClientConfig.configNames(), StreamsConfig.ADMIN_CLIENT_PREFIX);
    }

    /**
     * A producer's settings (serializers are left to the caller).
     *
     * @throws MissingConfigurationException if {@code bootstrap.servers} is not configured
     */
    public static Map<String, Object> producer(OnepipeConfig config) {
        return forClient(config, ProducerConfig.configNames(), StreamsConfig.PRODUCER_PREFIX);
    }

    /**
     * A consumer's settings (deserializers and group are left to the caller).
     *
     * @throws MissingConfigurationException if {@code bootstrap.servers} is not configured
     */
    public static Map<String, Object> consumer(OnepipeConfig config) {
        return forClient(config, ConsumerConfig.configNames(), StreamsConfig.CONSUMER_PREFIX);
    }

    private static Map<String, Object> forClient(OnepipeConfig config, Set<String> names, String prefix) {
        Map<String, Object> settings = new HashMap<>();
        config.kafkaProperties().forEach((key, value) -> {
            String name = key.toString();
            if (names.contains(name) && !PER_CLIENT.contains(name)) {
                settings.put(name, value);
            }
        });
        config.kafkaProperties().forEach((key, value) -> {
            String name = key.toString();
            if (name.startsWith(prefix) && names.contains(name.substring(prefix.length())) && !PER_CLIENT.contains(name.substring(prefix.length()))) {
                settings.put(name.substring(prefix.length()), value);
            }
        });
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return settings;
    }
}
