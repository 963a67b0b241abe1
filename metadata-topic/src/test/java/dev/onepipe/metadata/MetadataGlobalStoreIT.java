package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;

/**
 * On a real broker, a topology's catalog holds every entry before the topology runs, also after a restart: the global
 * store processor is re-run over the whole metadata topic on restore, and keeps following it while running.
 */
class MetadataGlobalStoreIT {

    private static final String TOPIC = "_onepipe_metadata_streams";

    @Test
    void catalogIsCompleteBeforeRunningAndAfterRestart() throws Exception {
        final Map<String, Object> config = SharedKafkaBroker.clientConfig();
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic("streams-input", 1, (short) 1))).all().get();
        }
        final Path stateDirectory = Files.createTempDirectory("onepipe-global-store");
        try (MetadataRegistry registry = MetadataRegistry.connect(config, TOPIC)) {
            registry.register(RegistrationRequest.dataset(TestRegistry.widgets(), TestRegistry.WIDGETS_V1));

            final MetadataCatalog firstCatalog = new MetadataCatalog();
            final AtomicInteger schemasSeenAtFirstRecord = new AtomicInteger(-1);
            final KafkaStreams first = start(firstCatalog, stateDirectory, schemasSeenAtFirstRecord);
            try {
                assertEquals(1, firstCatalog.schemaVersionCount());
                writeAbortedEntry(config);
                registry.register(RegistrationRequest.datasetSchema("widgets", TestRegistry.WIDGETS_V2));
                awaitCount(firstCatalog, 2);
                assertEquals(2, firstCatalog.latestSchemaForDataset("widgets").orElseThrow().version());
                assertTrue(firstCatalog.schemaVersions("ghost-value").isEmpty(), "an aborted entry reached the catalog");
                assertEquals(2, firstCatalog.maximumSchemaId());
            } finally {
                stop(first);
            }

            registry.register(RegistrationRequest.metadata(TestRegistry.widgets().toBuilder().description("v2").build()));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
                producer.send(new ProducerRecord<>("streams-input", "k", "v")).get();
            }
            final MetadataCatalog restartedCatalog = new MetadataCatalog();
            final KafkaStreams restarted = start(restartedCatalog, stateDirectory, schemasSeenAtFirstRecord);
            try {
                assertEquals(2, restartedCatalog.schemaVersionCount());
                assertEquals(2, restartedCatalog.datasetVersionCount());
                assertEquals("v2", restartedCatalog.dataset("widgets").orElseThrow().metadata().description().orElseThrow());
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (schemasSeenAtFirstRecord.get() < 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(2, schemasSeenAtFirstRecord.get(), "the first record saw the whole catalog");
            } finally {
                stop(restarted);
            }
        }
    }

    /** A registration whose transaction is aborted, as when a writer is fenced after sending. */
    private static void writeAbortedEntry(final Map<String, Object> config) {
        final Map<String, Object> producerConfig = new java.util.HashMap<>(config);
        producerConfig.put("transactional.id", "aborting-writer");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig,
            new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            final MetadataRecord ghost = MetadataEntryCodec.encode(SchemaVersion.create("ghost-value", 1, 99,
                TestRegistry.parse(TestRegistry.WIDGETS_V1), TestRegistry.NOW));
            producer.send(new ProducerRecord<>(TOPIC, ghost.key(), ghost.value()));
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static void stop(final KafkaStreams streams) {
        // leaving the group lets the restarted instance rebalance at once instead of after the session timeout
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
    }

    private static KafkaStreams start(final MetadataCatalog catalog, final Path stateDirectory,
                                      final AtomicInteger schemasSeenAtFirstRecord) throws InterruptedException {
        final StreamsBuilder builder = new StreamsBuilder();
        MetadataGlobalStore.addTo(builder, TOPIC, catalog);
        builder.stream("streams-input", Consumed.with(Serdes.String(), Serdes.String()))
            .foreach((key, value) -> schemasSeenAtFirstRecord.compareAndSet(-1, catalog.schemaVersionCount()));
        final Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "global-store-it");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaBroker.bootstrapServers());
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDirectory.toString());
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        properties.putAll(MetadataGlobalStore.requiredStreamsConfig());
        final KafkaStreams streams = new KafkaStreams(builder.build(), properties);
        streams.start();
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            assertTrue(System.nanoTime() < deadline, "streams never reached RUNNING, state " + streams.state());
            Thread.sleep(20);
        }
        return streams;
    }

    private static void awaitCount(final MetadataCatalog catalog, final int expected) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (catalog.schemaVersionCount() < expected) {
            assertTrue(System.nanoTime() < deadline, "catalog never reached " + expected + " schema versions");
            Thread.sleep(20);
        }
    }
}
