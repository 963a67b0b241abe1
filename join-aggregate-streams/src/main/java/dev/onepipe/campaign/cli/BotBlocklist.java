package dev.onepipe.campaign.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import dev.onepipe.campaign.BotFilter;
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.producer.SendFailures;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes the bot blocklist topic that {@link BotFilter} reads: one record per IPv4 address or CIDR block, keyed by
 * its canonical form; a tombstone removes an entry. Running topologies pick changes up without a restart.
 */
public final class BotBlocklist {

    private BotBlocklist() {
    }

    /** Adds ({@code blocked}) or removes entries; creates the compacted topic when it is missing. */
    public static void publish(Map<String, Object> clientConfig, String topic, List<String> entries, boolean blocked) {
        List<String> canonical = entries.stream().map(BotFilter::canonicalEntry).toList();
        ensureTopic(clientConfig, topic);
        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            SendFailures failures = new SendFailures();
            for (String entry : canonical) {
                producer.send(new ProducerRecord<>(topic, entry, blocked ? "blocked" : null), failures);
            }
            producer.flush();
            failures.throwIfAny("of blocklist topic " + topic);
        }
    }

    static void ensureTopic(Map<String, Object> clientConfig, String topic) {
        try (Admin admin = Admin.create(clientConfig)) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get();
            PartitionLeaders.await(admin, List.of(topic));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create blocklist topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating " + topic, e);
        }
    }
}
