package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.onepipe.archive.format.ParquetChunkFormat;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The benchmark's reference line does the whole work it is compared on: every produced record ends up once in its
 * Parquet chunks in S3 (read back with the archive's reader), chunks close at the record limit and on the idle flush,
 * and the offsets committed afterwards are the partitions' ends.
 */
class PlainS3CopierIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    @TempDir
    Path temporary;

    @Test
    void everyRecordIsInAChunkOnceAndTheOffsetsAreCommitted() throws Exception {
        String topic = RUNTIME.uniqueName("copier");
        RUNTIME.createTopic(topic, 2);
        Set<String> produced = new TreeSet<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int index = 0; index < 1000; index++) {
                String value = "record-" + index;
                producer.send(new ProducerRecord<>(topic, index % 2, null, value.getBytes(StandardCharsets.UTF_8)));
                produced.add(value);
            }
        }
        String group = RUNTIME.uniqueName("copier-group");
        try (S3Client s3 = RUNTIME.newS3Client();
             PlainS3Copier copier = new PlainS3Copier(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()), s3, RUNTIME.bucket(),
                     "copier-test", topic, 2, 2, 300, 64L * 1024 * 1024, 500)) {
            copier.start(group);
            copier.awaitUploaded(1000, Duration.ofMinutes(2));

            // 500 records per partition: a chunk at the 300-record limit, then 200 on the idle flush
            assertEquals(4, copier.uploadedObjects());
            List<String> archived = new ArrayList<>();
            int objects = 0;
            for (var object : s3.listObjectsV2Paginator(request -> request.bucket(RUNTIME.bucket()).prefix(copier.topicPrefix())).contents()) {
                Path file = temporary.resolve("chunk-" + objects++ + ".parquet");
                s3.getObject(request -> request.bucket(RUNTIME.bucket()).key(object.key()), file);
                try (ParquetChunkFormat.RecordIterator records = ParquetChunkFormat.read(new LocalInputFile(file))) {
                    records.forEachRemaining(record -> archived.add(new String(record.value(), StandardCharsets.UTF_8)));
                }
            }
            assertEquals(4, objects);
            assertEquals(1000, archived.size());
            assertEquals(produced, new TreeSet<>(archived));

            Map<TopicPartition, OffsetAndMetadata> committed = RUNTIME.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> offsets = new HashMap<>();
            committed.forEach((partition, offset) -> offsets.put(partition, offset.offset()));
            assertEquals(Map.of(new TopicPartition(topic, 0), 500L, new TopicPartition(topic, 1), 500L), offsets);
        }
    }
}
