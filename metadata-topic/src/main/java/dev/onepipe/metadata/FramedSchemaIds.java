package dev.onepipe.metadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import dev.onepipe.metadata.serde.WireFormat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The highest schema id that framed records ({@code 0x00}, a 4-byte big-endian id, Avro) on the cluster's topics
 * carry. A registry that finds itself empty while such records exist (its topic was deleted, or a new one is pointed
 * at an old cluster) must not hand out those ids again: records carrying them would then decode with the wrong
 * schema. The {@link MetadataWriter} reserves every id up to this one before the first registration.
 *
 * <p>Reads the last {@value #RECORDS_PER_PARTITION} records of every partition of every topic whose name does not start
 * with {@code _} (the metadata topics, {@code __consumer_offsets} and other internal topics hold no dataset records):
 * ids only grow, so a partition's latest records carry its highest ids. A value that merely starts
 * with {@code 0x00} may raise the floor needlessly; ids then skip numbers, which is harmless.
 */
public final class FramedSchemaIds {

    static final int RECORDS_PER_PARTITION = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private FramedSchemaIds() {
    }

    /**
     * The highest schema id found, 0 if none.
     *
     * @throws IllegalStateException if the cluster cannot be read within a minute: registering without knowing
     *                               the floor could reuse an id
     */
    public static int highest(Map<String, Object> clientConfig, String metadataTopic) {
        try (Admin admin = Admin.create(clientConfig)) {
            Set<String> topics = admin.listTopics().names().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
                    .filter(topic -> !topic.equals(metadataTopic) && !topic.startsWith("_"))
                    .collect(Collectors.toSet());
            if (topics.isEmpty()) {
                return 0;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (TopicDescription description : admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).values()) {
                description.partitions().forEach(info -> partitions.add(new TopicPartition(description.name(), info.partition())));
            }
            Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.earliest());
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            int highest = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> nonEmpty = partitions.stream().filter(partition -> ends.get(partition) > starts.get(partition)).toList();
                if (nonEmpty.isEmpty()) {
                    return 0;
                }
                consumer.assign(nonEmpty);
                for (TopicPartition partition : nonEmpty) {
                    consumer.seek(partition, Math.max(starts.get(partition), ends.get(partition) - RECORDS_PER_PARTITION));
                }
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (nonEmpty.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Could not read the latest records of every topic within " + TIMEOUT.toSeconds()
                                + " s to find the schema ids they carry");
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        byte[] value = record.value();
                        if (value != null && value.length >= WireFormat.HEADER_LENGTH && value[0] == WireFormat.MAGIC_BYTE) {
                            highest = Math.max(highest, WireFormat.schemaId(value));
                        }
                    }
                }
            }
            return highest;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not list the topics to find the schema ids their records carry: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not list its topics within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the schema ids on the topics", e);
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws ExecutionException, TimeoutException, InterruptedException {
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(partition -> partition, partition -> spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> entry : admin.listOffsets(request).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).entrySet()) {
            offsets.put(entry.getKey(), entry.getValue().offset());
        }
        return offsets;
    }
}
