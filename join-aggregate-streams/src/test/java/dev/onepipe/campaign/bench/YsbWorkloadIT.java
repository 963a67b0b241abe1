package dev.onepipe.campaign.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.YsbGenerator;
import dev.onepipe.testdata.YsbGeneratorConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The benchmark's input is what the generator's tally counts (issue #17): on topics it has just created with 16
 * partitions, where the broker may not yet lead every partition when the first batches arrive, every ad-to-campaign
 * record and every event reaches the topic; and a send the broker refuses fails the produce call instead of being
 * left out silently. The first test creates the topics: it is the one that writes to partitions the broker has only just
 * been given.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YsbWorkloadIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 16;
    private static final int ADS = 100 * 10;
    private static final long EVENTS = 20_000;

    @Test
    @Order(1)
    void everyMappingRecordAndEveryEventReachTheNewTopics() throws Exception {
        Map<String, Object> clientConfig = new HashMap<>(RUNTIME.runtime().clientConfig());
        YsbWorkload.registerDatasets(clientConfig, MetadataTopic.DEFAULT_NAME, PARTITIONS);
        YsbWorkload workload = new YsbWorkload(new YsbGenerator(YsbGeneratorConfig.builder().seed(1).eventCount(EVENTS).build()));

        try (DatasetProducer producer = DatasetProducer.connect(clientConfig)) {
            assertEquals(ADS, workload.produceCampaigns(producer));
            assertEquals(EVENTS, workload.produce(producer, EVENTS, sent -> { }));
        }

        List<String> mappingKeys = keys(SampleDatasets.YSB_CAMPAIGNS);
        assertEquals(ADS, mappingKeys.size(), "records on " + SampleDatasets.YSB_CAMPAIGNS);
        // the generator's own mapping (100 campaigns x 10 ads): the ads the tally maps to campaigns
        assertEquals(workload.generator().campaignByAd().keySet(), new HashSet<>(mappingKeys), "ads on " + SampleDatasets.YSB_CAMPAIGNS);
        List<String> eventKeys = keys(SampleDatasets.YSB_EVENTS);
        assertEquals(EVENTS, eventKeys.size(), "records on " + SampleDatasets.YSB_EVENTS);
        assertEquals(EVENTS, new HashSet<>(eventKeys).size(), "distinct event ids on " + SampleDatasets.YSB_EVENTS);
    }

    @Test
    @Order(2)
    void aRecordTheBrokerRefusesFailsTheProduceCall() throws Exception {
        Map<String, Object> clientConfig = new HashMap<>(RUNTIME.runtime().clientConfig());
        YsbWorkload.registerDatasets(clientConfig, MetadataTopic.DEFAULT_NAME, PARTITIONS);
        YsbWorkload workload = new YsbWorkload(new YsbGenerator(YsbGeneratorConfig.builder().seed(1).eventCount(EVENTS).build()));
        // a mapping record (two UUIDs and a long, keyed by a UUID) is larger than 64 bytes in any batch
        ConfigResource campaigns = new ConfigResource(ConfigResource.Type.TOPIC, SampleDatasets.YSB_CAMPAIGNS);
        setMaxMessageBytes(campaigns, AlterConfigOp.OpType.SET, "64");
        try (DatasetProducer producer = DatasetProducer.connect(clientConfig)) {
            IllegalStateException failure = assertThrows(IllegalStateException.class, () -> workload.produceCampaigns(producer));
            assertTrue(failure.getMessage().startsWith(ADS + " records of " + SampleDatasets.YSB_CAMPAIGNS + " were not written"),
                    failure.getMessage());
        } finally {
            setMaxMessageBytes(campaigns, AlterConfigOp.OpType.DELETE, "");
        }
    }

    private static void setMaxMessageBytes(ConfigResource topic, AlterConfigOp.OpType op, String value) throws Exception {
        RUNTIME.admin().incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, value), op))))
                .all().get(60, TimeUnit.SECONDS);
    }

    /** The keys of every record on {@code topic}, read from its start to its end. */
    private static List<String> keys(String topic) {
        Map<String, Object> config = new HashMap<>(RUNTIME.runtime().clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            assertEquals(PARTITIONS, partitions.size(), "partitions of " + topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic + " to its end within 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(new String(record.key(), StandardCharsets.UTF_8));
                }
            }
        }
        return keys;
    }
}
