package dev.onepipe.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    private static final Map<String, String> SECURED = Map.of(
            "bootstrap.servers", "broker-1:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            "ssl.truststore.location", "/etc/kafka/truststore.p12");

    @Test
    void everyClientGetsTheSecuritySettings() {
        OnepipeConfig config = OnepipeConfig.builder().layer("file", SECURED).build();
        for (Map<String, Object> client : new Map[] {KafkaClientSettings.admin(config), KafkaClientSettings.producer(config),
            KafkaClientSettings.consumer(config), KafkaClientSettings.common(config)}) {
            SECURED.forEach((key, value) -> assertEquals(value, client.get(key), key));
        }
    }

    @Test
    void aPrefixedKeyOverridesForItsClientOnlyAndOtherClientsKeysStayOut() {
        OnepipeConfig config = OnepipeConfig.builder().layer("file", Map.of(
                "bootstrap.servers", "broker-1:9092",
                "request.timeout.ms", "30000",
                "admin.request.timeout.ms", "5000",
                "acks", "all",
                "max.poll.records", "100",
                "onepipe.s3.bucket", "data")).build();
        assertEquals("5000", KafkaClientSettings.admin(config).get("request.timeout.ms"));
        assertEquals("30000", KafkaClientSettings.producer(config).get("request.timeout.ms"));
        assertEquals("all", KafkaClientSettings.producer(config).get("acks"));
        assertFalse(KafkaClientSettings.consumer(config).containsKey("acks"));
        assertEquals("100", KafkaClientSettings.consumer(config).get("max.poll.records"));
        assertFalse(KafkaClientSettings.admin(config).containsKey("admin.request.timeout.ms"));
        assertFalse(KafkaClientSettings.common(config).containsKey("acks"));
        assertFalse(KafkaClientSettings.common(config).containsKey("onepipe.s3.bucket"));
    }

    @Test
    void keysNamingOneClientAreLeftToTheCaller() {
        OnepipeConfig config = OnepipeConfig.builder().layer("file", Map.of("bootstrap.servers", "b:9092", "client.id", "x",
                "group.instance.id", "y", "transactional.id", "z", "group.id", "g")).build();
        assertEquals(Map.of("bootstrap.servers", "b:9092"), KafkaClientSettings.producer(config));
        assertEquals(Map.of("bootstrap.servers", "b:9092"), KafkaClientSettings.consumer(config));
    }

    @Test
    void noClusterIsAClearError() {
        assertThrows(MissingConfigurationException.class, () -> KafkaClientSettings.admin(OnepipeConfig.of(Map.of())));
    }

    @Test
    void theConfigurationsTextHidesTheJaasConfig() {
        assertFalse(OnepipeConfig.builder().layer("file", SECURED).build().toString().contains("password=\"p\""));
    }
}
