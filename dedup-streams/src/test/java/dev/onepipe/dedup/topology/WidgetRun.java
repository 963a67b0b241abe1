package dev.onepipe.dedup.topology;

import dev.onepipe.dedup.table.CleanTableException;
import dev.onepipe.dedup.table.CleanTableFixture;
import dev.onepipe.dedup.table.CleanTableFixture.Widget;
import dev.onepipe.dedup.table.CleanTableReader;
import dev.onepipe.dedup.table.CleanTableVerifier;
import software.amazon.awssdk.services.s3.S3Client;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.ApplicationLag;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.WidgetGenerator;
import dev.onepipe.testdata.WidgetGeneratorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One dedup run on the embedded broker for the integration tests: the sample widgets registered under a dataset name
 * of the test's own, 200,000 generated records produced as a onepipe producer does (keyed by the unique key, wire
 * format, event time as timestamp, corrupt records as their bytes), and the clean topic read back.
 */
final class WidgetRun {

    static final int PARTITIONS = 4;
    static final Duration PATIENCE = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    final String dataset;
    final WidgetGenerator generator;
    final List<GeneratedRecord> records;
    private final EmbeddedRuntimeExtension runtime;

    /**
     * 200,000 widget records over 48 hours ending a day ago (so they cross day boundaries and stay well inside topic
     * retention), 20,000 widgets (about ten versions each), 10 % exact re-sends, 5 % out of order, 2 % late by up to
     * 30 minutes, 0.1 % corrupt.
     */
    WidgetRun(EmbeddedRuntimeExtension runtime, String dataset, long seed) {
        this.runtime = runtime;
        this.dataset = dataset;
        Instant start = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.HOURS);
        this.generator = new WidgetGenerator(WidgetGeneratorConfig.builder().seed(seed).recordCount(200_000).widgetCount(20_000)
                .duplicateRate(0.10).outOfOrderRate(0.05).lateRate(0.02).lateByMillis(Duration.ofMinutes(30).toMillis()).corruptRate(0.001)
                .startTimeMillis(start.toEpochMilli()).timeSpanMillis(Duration.ofHours(48).toMillis()).build());
        this.records = generator.generateAll();
    }

    String applicationId() {
        return TopologyContext.APPLICATION_ID_PREFIX + DedupTopology.NAME + "-" + dataset;
    }

    String cleanTopic() {
        return CleanDataset.nameOf(dataset);
    }

    /**
     * Registers {@code schema} as a new version of the dataset (same metadata) and produces {@code records} of it as a
     * onepipe producer does.
     */
    void registerVersionAndProduce(org.apache.avro.Schema schema, List<GenericRecord> versions) throws InterruptedException {
        Map<String, Object> clientConfig = new HashMap<>(runtime.runtime().clientConfig());
        MetadataCatalog catalog;
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig)) {
            ObjectNode metadata = (ObjectNode) readTree(SampleDatasets.metadataJson(SampleDatasets.WIDGETS));
            metadata.put("name", dataset).put("topic", dataset).put("valueSubject", dataset + DatasetMetadata.VALUE_SUBJECT_SUFFIX);
            var result = registry.register(RegistrationRequest.dataset(DatasetMetadata.fromJson(metadata), schema));
            assertTrue(result.accepted(), result.summary());
            awaitTrue(() -> registry.catalog().findSchemaVersion(dataset + DatasetMetadata.VALUE_SUBJECT_SUFFIX, schema).isPresent(),
                    "the new version readable in the registry");
            catalog = registry.catalog();
        }
        Serializer<GenericRecord> serializer = DatasetSerdes.generic(catalog, dataset).serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(clientConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (GenericRecord record : versions) {
                producer.send(new ProducerRecord<>(dataset, null, (Long) record.get("updated_at"),
                        record.get("widget_id").toString().getBytes(StandardCharsets.UTF_8), serializer.serialize(dataset, record)));
            }
        }
    }

    /** Creates the topic, registers the widgets schema and metadata under {@link #dataset} and produces every record. */
    void registerAndProduce() throws InterruptedException {
        runtime.createTopic(dataset, PARTITIONS);
        Map<String, Object> clientConfig = new HashMap<>(runtime.runtime().clientConfig());
        MetadataCatalog catalog;
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig)) {
            ObjectNode metadata = (ObjectNode) readTree(SampleDatasets.metadataJson(SampleDatasets.WIDGETS));
            metadata.put("name", dataset).put("topic", dataset).put("valueSubject", dataset + DatasetMetadata.VALUE_SUBJECT_SUFFIX);
            assertTrue(registry.register(RegistrationRequest.dataset(DatasetMetadata.fromJson(metadata), SampleDatasets.schema(SampleDatasets.WIDGETS))).accepted());
            awaitTrue(() -> registry.catalog().dataset(dataset).isPresent(), "the dataset readable in the registry");
            catalog = registry.catalog();
        }
        int schemaId = catalog.latestSchemaForDataset(dataset).orElseThrow().id();
        Serializer<GenericRecord> serializer = DatasetSerdes.generic(catalog, dataset).serializer();
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (GeneratedRecord record : records) {
                byte[] value = record.isCorrupt() ? record.corruptBytes(schemaId) : serializer.serialize(dataset, record.value());
                producer.send(new ProducerRecord<>(dataset, null, record.timestampMillis(), record.key().getBytes(StandardCharsets.UTF_8), value));
            }
        }
    }

    /** The settings every instance of the test runs with, keeping its state under {@code stateRoot}. */
    Map<String, String> settings(String stateRoot) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", runtime.bootstrapServers());
        settings.put("onepipe.state.root", stateRoot);
        // the clean table is proven by its own tests; these prove the clean topic
        settings.put(DedupSettings.TABLE_ENABLED, "false");
        settings.put("commit.interval.ms", "1000");
        return settings;
    }

    /** Input offsets the application has committed, summed over partitions (transaction markers make it a slight overestimate). */
    long committedInput() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = runtime.admin().listConsumerGroupOffsets(applicationId()).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            return offsets.entrySet().stream().filter(entry -> entry.getKey().topic().equals(dataset) && entry.getValue() != null)
                    .mapToLong(entry -> entry.getValue().offset()).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    /** Waits until the application has consumed its input and repartition topics to their end. */
    void awaitDrained() throws InterruptedException {
        awaitTrue(() -> {
            try {
                return committedInput() >= records.size() && ApplicationLag.total(runtime.admin(), applicationId(), List.of(dataset)) == 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (RuntimeException e) {
                return false;
            }
        }, "the input consumed to its end");
    }

    /** Every committed record of a topic, as key and value bytes, in partition then offset order. */
    List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Map<String, Object> config = Map.of("bootstrap.servers", runtime.bootstrapServers(), "group.id", "test-" + UUID.randomUUID(),
                "isolation.level", "read_committed", "enable.auto.commit", false);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }

    /**
     * {@link #settings} with the Iceberg clean table on: the embedded S3 endpoint, the catalog in {@code catalog} (a
     * SQLite file outside the state root, so a test may wipe local state without losing the table), a 10 s cadence.
     */
    Map<String, String> tableSettings(String stateRoot, Path catalog) {
        Map<String, String> settings = settings(stateRoot);
        settings.putAll(runtime.s3Settings().toConfig());
        settings.put(DedupSettings.TABLE_ENABLED, "true");
        // each commit rewrites the days it touches: a short cadence costs a loaded CI machine more than it proves
        settings.put(DedupSettings.TABLE_COMMIT_INTERVAL_MS, "10000");
        settings.put("onepipe.dedup.catalog.uri", "jdbc:sqlite:" + catalog);
        return settings;
    }

    /**
     * Waits until the clean table, read with Iceberg's generic reader, equals the generator's final state per widget,
     * then checks it once more through a plain Parquet read of its current data files (after plain S3 GETs) and with
     * {@code clean verify}'s checks (one row per key, files sorted, rows in their event-time day).
     */
    void assertCleanTableIsTheTally(Map<String, String> settings, Path scratch) throws Exception {
        OnepipeConfig config = OnepipeConfig.of(settings);
        Map<String, Widget> expected = new TreeMap<>();
        generator.tally().latestRecords().forEach((key, record) -> expected.put(key, widget(record)));
        AtomicReference<Map<String, Widget>> read = new AtomicReference<>(Map.of());
        try {
            awaitTrue(() -> {
                try {
                    read.set(CleanTableFixture.readWithIceberg(config, dataset));
                } catch (CleanTableException noTableYet) {
                    // a process killed before its first table commit leaves no table; the running one creates it on its cadence
                    if (noTableYet.getCause() instanceof org.apache.iceberg.exceptions.NoSuchTableException) {
                        return false;
                    }
                    throw noTableYet;
                }
                return read.get().equals(expected);
            }, "the clean table to hold the generator's final state of all " + expected.size() + " widgets");
        } catch (AssertionError timedOut) {
            assertEquals(expected, read.get(), timedOut.getMessage());
        }
        java.nio.file.Files.createDirectories(scratch);
        try (CleanTableReader reader = CleanTableReader.open(config, dataset); S3Client s3 = runtime.newS3Client()) {
            CleanTableVerifier.Report report = CleanTableVerifier.verify(reader.table(), reader.layout());
            assertTrue(report.ok(), () -> {
                java.io.StringWriter text = new java.io.StringWriter();
                report.print(new java.io.PrintWriter(text, true));
                return text.toString();
            });
            Map<String, Widget> fromParquet = new TreeMap<>();
            CleanTableFixture.readDataFilesWithParquet(reader.table(), s3, scratch).values()
                    .forEach(rows -> rows.forEach(row -> assertNull(fromParquet.put(row.id(), row), "key " + row.id() + " in two rows")));
            assertEquals(expected, fromParquet, "the current data files read with plain parquet-avro");
        }
    }

    private static Widget widget(GenericRecord record) {
        List<String> tags = new ArrayList<>();
        ((List<?>) record.get("tags")).forEach(tag -> tags.add(tag.toString()));
        Object description = record.get("description");
        return new Widget(record.get("widget_id").toString(), (Long) record.get("version"), (Long) record.get("updated_at"),
                record.get("name").toString(), (Double) record.get("price"), record.get("status").toString(), tags,
                description == null ? null : description.toString());
    }

    /** The clean topic as its compacted view: the last value per key, decoded as the clean dataset, rendered as JSON text. */
    SortedMap<String, String> cleanView(List<ConsumerRecord<byte[], byte[]>> clean) {
        MetadataCatalog catalog = RegisteredDatasets.load(OnepipeConfig.of(Map.of("bootstrap.servers", runtime.bootstrapServers())));
        Deserializer<GenericRecord> deserializer = DatasetSerdes.generic(catalog, cleanTopic()).deserializer();
        SortedMap<String, String> view = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : clean) {
            view.put(new String(record.key(), StandardCharsets.UTF_8), deserializer.deserialize(cleanTopic(), record.value()).toString());
        }
        return view;
    }

    /** The generator's own final state per key (the valid record with the highest version), rendered the same way. */
    SortedMap<String, String> expectedView() {
        SortedMap<String, String> expected = new TreeMap<>();
        generator.tally().latestRecords().forEach((key, record) -> expected.put(key, record.toString()));
        return expected;
    }

    /**
     * Records the clean topic must hold if every change is written exactly once: a change per first send whose version
     * is above every earlier first send of its widget (each widget's versions reach one partition in generation order).
     */
    long expectedChanges() {
        return generator.tally().firstSendCount() - generator.tally().outOfOrderCount();
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + PATIENCE.toSeconds() + " s waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
