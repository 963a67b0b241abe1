package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.producer.JsonConversionException;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A producer writes with schema v1, the schema evolves to v2 (a field with a default added), and a consumer built for
 * v2 reads both; a record invalid for the schema is refused before it is sent.
 */
class SchemaEvolutionIT {

    private static final String METADATA_TOPIC = "_onepipe_metadata_evolution";

    private static GenericRecord widget(final Schema schema, final String id, final long version) {
        final GenericRecord record = new GenericData.Record(schema);
        record.put("widget_id", id);
        record.put("name", "Widget " + id);
        record.put("price", 2.5);
        record.put("version", version);
        record.put("updated_at", 1_714_564_800_000L + version);
        if (schema.getField("color") != null) {
            record.put("color", "blue");
        }
        return record;
    }

    @Test
    void consumerBuiltForV2ReadsV1AndV2RecordsAndInvalidRecordsNeverReachTheTopic() throws Exception {
        final Map<String, Object> config = SharedKafkaBroker.clientConfig();
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic("widgets", 2, (short) 1))).all().get();
        }
        try (MetadataRegistry registry = MetadataRegistry.connect(config, METADATA_TOPIC);
             DatasetProducer producer = DatasetProducer.connect(config, METADATA_TOPIC, Duration.ofSeconds(30))) {
            assertTrue(registry.register(RegistrationRequest.dataset(TestRegistry.widgets(), TestRegistry.WIDGETS_V1))
                .accepted());
            final Schema v1 = awaitLatestSchema(producer.catalog(), "widgets", 1);
            producer.send("widgets", widget(v1, "w-1", 1)).get();
            producer.send("widgets", widget(v1, "w-2", 1)).get();
            producer.sendJson("widgets", "{\"widget_id\": \"w-3\", \"name\": \"Json\", \"price\": null, \"version\": 1,"
                + " \"updated_at\": \"2024-05-01T12:00:00Z\"}").get();

            final RegistrationResult v2Result = registry.register(RegistrationRequest.datasetSchema("widgets",
                TestRegistry.WIDGETS_V2));
            assertEquals(2, v2Result.schemaVersion().orElseThrow().version());
            final Schema v2 = awaitLatestSchema(producer.catalog(), "widgets", 2);
            producer.send("widgets", widget(v2, "w-1", 2)).get();
            producer.sendJson("widgets", "{\"widget_id\": \"w-4\", \"name\": \"Json\", \"version\": 1,"
                + " \"updated_at\": 0, \"color\": \"red\"}").get();
            producer.send("widgets", widget(v1, "w-5", 1)).get();

            final GenericRecord invalid = widget(v2, "w-6", 1);
            invalid.put("version", "one");
            final WireFormatException refused = assertThrows(WireFormatException.class,
                () -> producer.send("widgets", invalid));
            assertEquals(WireFormatException.Reason.INVALID_FOR_SCHEMA, refused.reason());
            assertEquals("version", refused.fieldPath().orElseThrow());
            final JsonConversionException refusedJson = assertThrows(JsonConversionException.class,
                () -> producer.sendJson("widgets", "{\"widget_id\": \"w-7\", \"name\": \"x\", \"version\": \"two\","
                    + " \"updated_at\": 0}"));
            assertEquals("version", refusedJson.fieldPath());
            producer.flush();
        }

        final Map<String, String> colorsByKey = new HashMap<>();
        final List<Integer> writerIds = new ArrayList<>();
        try (MetadataCatalogReader reader = MetadataCatalogReader.start(config, METADATA_TOPIC);
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                 ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaBroker.bootstrapServers(),
                 ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                 new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            assertTrue(reader.awaitReady(Duration.ofSeconds(30)));
            final DatasetDeserializer<GenericRecord> readAsV2 =
                DatasetDeserializer.readingVersion(reader.catalog(), "widgets", 2, Duration.ofSeconds(2));
            final List<TopicPartition> partitions = List.of(new TopicPartition("widgets", 0),
                new TopicPartition("widgets", 1));
            consumer.assign(partitions);
            final long total = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            assertEquals(6, total, "exactly the six valid records reached the topic");
            int read = 0;
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read < total && System.nanoTime() < deadline) {
                for (final ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    final GenericRecord widget = readAsV2.deserialize(record);
                    assertEquals(reader.catalog().schemaForDataset("widgets", 2).orElseThrow().schema(), widget.getSchema());
                    assertEquals(record.key().split(":")[0], widget.get("widget_id").toString());
                    colorsByKey.merge(record.key(), widget.get("color").toString(), (first, second) -> first + "," + second);
                    writerIds.add((int) record.value()[4]);
                    read++;
                }
            }
        }
        assertEquals(Map.of("w-1", "unpainted,blue", "w-2", "unpainted", "w-3", "unpainted", "w-4", "red",
            "w-5", "unpainted"), colorsByKey);
        assertEquals(List.of(1, 1, 1, 1, 2, 2), writerIds.stream().sorted().toList());
    }

    /**
     * Waits until the catalog's latest schema of {@code dataset} is {@code version}: the reader applies a registration's
     * schema entry before its dataset entry, so a count of schemas can be reached while the dataset is not yet known.
     */
    private static Schema awaitLatestSchema(final MetadataCatalog catalog, final String dataset, final int version)
        throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            final Optional<SchemaVersion> latest = catalog.latestSchemaForDataset(dataset);
            if (latest.isPresent() && latest.get().version() == version) {
                return latest.get().schema();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("catalog never saw version " + version + " of " + dataset + "'s schema; latest: " + latest);
            }
            Thread.sleep(20);
        }
    }
}
