package dev.onepipe.core.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The embedded runtime is a real broker and a real S3 endpoint: transactions commit and abort as on a
 * cluster, objects round-trip over HTTP, and nothing survives the class (see {@link EmbeddedRuntimeRerunIT}).
 */
class EmbeddedRuntimeIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final String TOPIC = "round-trip";

    @Test
    void startsWithNoLeftoversOfEarlierRuns() throws Exception {
        assertFalse(RUNTIME.admin().listTopics().names().get().contains(TOPIC), "topic left over from an earlier run");
        try (S3Client s3 = RUNTIME.newS3Client()) {
            assertEquals(0, s3.listObjectsV2(request -> request.bucket(RUNTIME.bucket())).keyCount());
        }
    }

    @Test
    void transactionalProducerCommitsAndAbortsAsOnACluster() throws Exception {
        RUNTIME.createTopic(TOPIC, 2);
        Map<String, Object> producerConfig = Map.of(
                "bootstrap.servers", RUNTIME.bootstrapServers(),
                "transactional.id", "embedded-runtime-it",
                "key.serializer", StringSerializer.class,
                "value.serializer", StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, "a", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, "b", "committed"));
            producer.commitTransaction();
        }

        Map<String, Object> consumerConfig = Map.of(
                "bootstrap.servers", RUNTIME.bootstrapServers(),
                "group.id", "embedded-runtime-it",
                "isolation.level", "read_committed",
                "auto.offset.reset", "earliest",
                "key.deserializer", StringDeserializer.class,
                "value.deserializer", StringDeserializer.class);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            // Anything after the committed record would show up in a further poll.
            consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
        }
        assertEquals(List.of("committed"), values);
    }

    @Test
    void objectsRoundTripOverHttp() {
        byte[] content = "onepipe object".getBytes(StandardCharsets.UTF_8);
        try (S3Client s3 = RUNTIME.newS3Client()) {
            s3.putObject(request -> request.bucket(RUNTIME.bucket()).key("raw/round-trip/object.bin"), RequestBody.fromBytes(content));
            byte[] read = s3.getObjectAsBytes(request -> request.bucket(RUNTIME.bucket()).key("raw/round-trip/object.bin")).asByteArray();
            assertArrayEquals(content, read);
            assertTrue(RUNTIME.s3Settings().endpoint().orElseThrow().toString().startsWith("http://127.0.0.1:"));
        }
    }

    @Test
    void temporaryFoldersAreRemovedOnClose() {
        Path brokerData;
        Path s3Data;
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start()) {
            brokerData = runtime.broker().dataDirectory();
            s3Data = runtime.s3().dataDirectory();
            assertTrue(Files.isDirectory(brokerData));
            assertTrue(Files.isDirectory(s3Data));
        }
        assertFalse(Files.exists(brokerData), "broker data left behind in " + brokerData);
        assertFalse(Files.exists(s3Data), "S3 data left behind in " + s3Data);
    }

    @Test
    void dataFolderKeepsTopicsAndObjectsAcrossRestarts(@org.junit.jupiter.api.io.TempDir Path dataDirectory) throws Exception {
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start(dataDirectory);
             var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()));
             S3Client s3 = runtime.newS3Client()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("kept", 1, (short) 1))).all().get();
            s3.putObject(request -> request.bucket(runtime.bucket()).key("kept.txt"), RequestBody.fromString("kept"));
        }
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start(dataDirectory);
             var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()));
             S3Client s3 = runtime.newS3Client()) {
            assertTrue(admin.listTopics().names().get().contains("kept"));
            assertEquals("kept", s3.getObjectAsBytes(request -> request.bucket(runtime.bucket()).key("kept.txt")).asUtf8String());
        }
    }
}
