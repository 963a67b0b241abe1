package dev.onepipe.core.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.deadletter.DeadLetter;
import dev.onepipe.core.deadletter.DeadLetterMetrics;
import dev.onepipe.core.deadletter.DeadLetterStage;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.testdata.CorruptionKind;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.WidgetGenerator;
import dev.onepipe.testdata.WidgetGeneratorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a real broker under exactly-once: 10,000 widgets of which about 1% are garbage bytes, 1% name an unknown schema
 * id and 1% are truncated. Every good record arrives in the output exactly once, every bad one is in the
 * dead-letter topic with its reason and original bytes, and the application never leaves RUNNING.
 */
class DeadLetterIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 3;
    private static final Map<CorruptionKind, String> EXPECTED_REASONS = Map.of(
            CorruptionKind.GARBAGE_BYTES, "WRONG_MAGIC_BYTE",
            CorruptionKind.UNKNOWN_SCHEMA_ID, "UNKNOWN_SCHEMA_ID",
            CorruptionKind.TRUNCATED, "TRUNCATED");

    @Test
    void goodRecordsArriveOnceBadOnesAreDeadLetteredAndTheApplicationKeepsRunning() throws Exception {
        int schemaId = ExampleDatasets.register(RUNTIME.bootstrapServers(), RUNTIME.admin(), PARTITIONS);
        List<GeneratedRecord> records = new WidgetGenerator(WidgetGeneratorConfig.builder()
                .seed(4).recordCount(10_000).duplicateRate(0).corruptRate(0.03).build()).generateAll();
        List<GeneratedRecord> good = records.stream().filter(record -> !record.isCorrupt()).toList();
        List<GeneratedRecord> bad = records.stream().filter(GeneratedRecord::isCorrupt).toList();
        for (CorruptionKind kind : CorruptionKind.values()) {
            long count = bad.stream().filter(record -> record.corruptionKind() == kind).count();
            assertTrue(count >= 70, "about 1% of the records are " + kind + ": " + count);
        }
        produce(records, schemaId);

        OnepipeConfig config = TopologyRunner.configure(new WidgetPricesTopology(), Map.of(), Map.of(), Map.of(
                OnepipeConfig.BOOTSTRAP_SERVERS, RUNTIME.bootstrapServers(),
                WidgetPricesTopology.MAXIMUM_PRICE, "1000000",
                TopologyRunner.STATE_ROOT, Files.createTempDirectory("dead-letter-it").toString()));
        TopologyContext context = new TopologyContext("widget-prices", Optional.of("widgets"), "widgets", config, RegisteredDatasets.load(config));
        try (CommittedTopicReader output = new CommittedTopicReader(RUNTIME.bootstrapServers(), "widget-prices", PARTITIONS);
             CommittedTopicReader deadLetters = new CommittedTopicReader(RUNTIME.bootstrapServers(), "widgets.dlq", PARTITIONS);
             TopologyRunner runner = TopologyRunner.start(new WidgetPricesTopology(), context)) {
            assertTrue(output.awaitCount(good.size(), Duration.ofMinutes(3)), "output: " + output.count() + " of " + good.size());
            assertTrue(deadLetters.awaitCount(bad.size(), Duration.ofMinutes(1)), "dead letters: " + deadLetters.count() + " of " + bad.size());
            Thread.sleep(2_000);

            assertEveryGoodRecordOnce(good, output.records(), context);
            assertEveryBadRecordDeadLettered(bad, schemaId, deadLetters.records());
            assertEquals(bad.size(), DeadLetterMetrics.total(runner.streams().metrics()), "the Kafka Streams metric counts every dead letter");
            List<KafkaStreams.State> states = runner.stateHistory();
            List<KafkaStreams.State> afterFirstRunning = states.subList(states.indexOf(KafkaStreams.State.RUNNING), states.size());
            assertEquals(List.of(KafkaStreams.State.RUNNING), afterFirstRunning, "state transitions: " + states);
            assertEquals(PARTITIONS, RUNTIME.admin().describeTopics(List.of("widgets.dlq")).allTopicNames().get().get("widgets.dlq")
                    .partitions().size(), "the dead-letter topic has the input's partitions");
        }
    }

    private static void produce(List<GeneratedRecord> records, int schemaId) throws Exception {
        Map<String, Object> clientConfig = Map.of("bootstrap.servers", RUNTIME.bootstrapServers());
        try (DatasetProducer datasets = DatasetProducer.connect(clientConfig);
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(clientConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (GeneratedRecord record : records) {
                if (record.isCorrupt()) {
                    raw.send(new ProducerRecord<>("widgets", null, record.timestampMillis(), record.key().getBytes(StandardCharsets.UTF_8),
                            record.corruptBytes(schemaId)));
                } else {
                    datasets.send("widgets", record.value());
                }
            }
        }
    }

    /** The output holds one projection per good input record: same widget, version, name, price and time. */
    private static void assertEveryGoodRecordOnce(List<GeneratedRecord> good, List<ConsumerRecord<byte[], byte[]>> output,
                                                  TopologyContext context) {
        Map<String, String> expected = new TreeMap<>();
        for (GeneratedRecord record : good) {
            GenericRecord widget = record.value();
            expected.put(widget.get("widget_id") + "/" + widget.get("version"),
                    widget.get("name") + " " + widget.get("price") + " " + widget.get("updated_at"));
        }
        assertEquals(good.size(), expected.size(), "generated (widget, version) pairs are unique");
        DatasetDeserializer<GenericRecord> prices = DatasetDeserializer.readingAsWritten(context.catalog(), "widget-prices", Duration.ZERO);
        Map<String, String> actual = new TreeMap<>();
        List<String> duplicates = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : output) {
            GenericRecord price = prices.deserialize("widget-prices", record.value());
            String identity = price.get("widget_id") + "/" + price.get("version");
            assertEquals(price.get("widget_id").toString(), new String(record.key(), StandardCharsets.UTF_8), "keyed by unique key");
            if (actual.put(identity, price.get("name") + " " + price.get("price") + " " + price.get("updated_at")) != null) {
                duplicates.add(identity);
            }
        }
        assertEquals(List.of(), duplicates, "no good record is written twice");
        assertEquals(expected, actual);
    }

    /** Each bad record is in the dead-letter topic once, with the reason its corruption calls for and its own bytes. */
    private static void assertEveryBadRecordDeadLettered(List<GeneratedRecord> bad, int schemaId, List<ConsumerRecord<byte[], byte[]>> deadLetterRecords)
            throws Exception {
        Map<String, Long> expected = bad.stream().collect(Collectors.groupingBy(record ->
                describe(record.key().getBytes(StandardCharsets.UTF_8), record.corruptBytes(schemaId), record.timestampMillis(),
                        EXPECTED_REASONS.get(record.corruptionKind())), TreeMap::new, Collectors.counting()));
        Map<String, Long> actual = new TreeMap<>();
        Map<String, byte[]> sourceValues = sourceValuesByPosition();
        for (ConsumerRecord<byte[], byte[]> record : deadLetterRecords) {
            DeadLetter deadLetter = DeadLetter.from(record);
            actual.merge(describe(deadLetter.key(), deadLetter.value(), deadLetter.timestamp(), deadLetter.reason()), 1L, Long::sum);
            assertEquals(DeadLetterStage.DESERIALIZATION, deadLetter.stage());
            assertEquals(Optional.of("widgets"), deadLetter.sourceTopic());
            String position = deadLetter.sourcePartition().getAsInt() + "@" + deadLetter.sourceOffset().getAsLong();
            assertArrayEquals(sourceValues.get(position), deadLetter.value(), "the headers point at the record the bytes came from: " + position);
            assertTrue(!deadLetter.message().isEmpty() && deadLetter.time().toEpochMilli() > 0);
        }
        assertEquals(expected, actual);
    }

    private static String describe(byte[] key, byte[] value, long timestamp, String reason) {
        return new String(key, StandardCharsets.UTF_8) + " " + HexFormat.of().formatHex(value) + " " + timestamp + " " + reason;
    }

    /** Every value of the input topic by partition and offset, read back independently. */
    private static Map<String, byte[]> sourceValuesByPosition() throws Exception {
        Map<String, byte[]> values = new HashMap<>();
        try (CommittedTopicReader input = new CommittedTopicReader(RUNTIME.bootstrapServers(), "widgets", PARTITIONS)) {
            assertTrue(input.awaitCount(10_000, Duration.ofMinutes(1)));
            for (ConsumerRecord<byte[], byte[]> record : input.records()) {
                values.put(record.partition() + "@" + record.offset(), record.value());
            }
        }
        return values;
    }
}
