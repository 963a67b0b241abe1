package dev.onepipe.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.deadletter.DeadLetterHeaders;
import dev.onepipe.core.deadletter.DeadLetterTopics;
import dev.onepipe.core.runtime.ApplicationLag;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.runtime.health.TopicDeletionWatch;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.AdTrafficGenerator;
import dev.onepipe.testdata.AdTrafficGeneratorConfig;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * campaign-metrics against one bad record and one fault that cannot heal, on the real broker: a serve stamped before
 * 1970 goes to the dead-letter topic and every event after it is processed; an input topic deleted under the running
 * topology makes it unhealthy and stops {@code onepipe run} with exit code 3 and the cause.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CampaignMetricsFaultsIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final List<String> INPUTS = List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS);
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final Instant START = Instant.now().minus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    private static final long BEFORE_1970 = Instant.parse("1969-12-31T23:59:59Z").toEpochMilli();

    @Test
    @Order(1)
    void aServeStampedBefore1970IsADeadLetterAndTheEventsAfterItAreProcessed() throws Exception {
        Map<String, Object> clientConfig = new HashMap<>(RUNTIME.runtime().clientConfig());
        for (String topic : List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS)) {
            RUNTIME.createTopic(topic, 1);
        }
        MetadataCatalog catalog = register(clientConfig);
        AdTrafficGenerator generator = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder()
                .seed(7).servedCount(200).lateRate(0).startTimeMillis(START.toEpochMilli()).build());
        List<GeneratedRecord> records = new ArrayList<>(generator.generateAll());
        GeneratedRecord firstServe = records.stream().filter(record -> record.dataset().equals(SampleDatasets.AD_SERVED) && !record.isCorrupt())
                .findFirst().orElseThrow();
        GenericRecord before1970 = new GenericData.Record(firstServe.value().getSchema());
        firstServe.value().getSchema().getFields().forEach(field -> before1970.put(field.name(), firstServe.value().get(field.name())));
        before1970.put("served_at", BEFORE_1970);
        before1970.put("event_id", "served-before-1970");
        produce(clientConfig, catalog, List.of(), SampleDatasets.AD_SERVED, "served-before-1970", before1970);
        produce(clientConfig, catalog, records, null, null, null);

        try (CampaignMetricsInstance instance = CampaignMetricsInstance.start(context(Files.createTempDirectory("campaign-faults")))) {
            String applicationId = instance.runner().applicationId();
            await(() -> ApplicationLag.total(RUNTIME.admin(), applicationId, INPUTS) == 0, "every input record committed, the ones after the bad serve too");
            assertTrue(instance.runner().health().healthy(), instance.runner().health().toString());
            List<ConsumerRecord<byte[], byte[]>> deadLetters = read(DeadLetterTopics.of(SampleDatasets.AD_SERVED));
            List<String> reasons = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
                for (Header header : deadLetter.headers()) {
                    if (header.key().startsWith(DeadLetterHeaders.PREFIX)) {
                        reasons.add(header.key() + "=" + new String(header.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertTrue(reasons.stream().anyMatch(reason -> reason.contains("before 1970-01-01T00:00:00Z")),
                    "the dead letter says why: " + reasons);
        }
    }

    @Test
    @Order(2)
    void anInputTopicDeletedUnderTheTopologyStopsRunWithExitCodeThree() throws Exception {
        Path state = Files.createTempDirectory("campaign-faults-run");
        try (OnepipeProcess run = OnepipeProcess.start("run", CampaignMetricsTopology.NAME, "--dataset", SampleDatasets.AD_SERVED,
                "--bootstrap-servers", RUNTIME.bootstrapServers(), "--status-interval", "1", "--close-timeout", "10",
                "--set", TopologyRunner.STATE_ROOT + "=" + state,
                "--set", "application.id=campaign-faults-run",
                "--set", TopicDeletionWatch.CHECK_INTERVAL_MS + "=1000")) {
            assertTrue(run.awaitLine(line -> line.startsWith("campaign-faults-run RUNNING"), PATIENCE).isPresent(), run.output());

            RUNTIME.admin().deleteTopics(List.of(SampleDatasets.AD_CLICKS)).all().get(1, TimeUnit.MINUTES);

            int exit = run.awaitExit(PATIENCE);
            String printed = run.output();
            assertEquals(3, exit, printed);
            // named whether Kafka Streams' stale metadata kept it RUNNING with lag 0 or its threads failed on the deletion
            assertTrue(printed.contains("onepipe: campaign-faults-run stopped: a fault no new stream thread can heal: input topic "
                    + SampleDatasets.AD_CLICKS + " no longer exists"), printed);
        }
    }

    private static TopologyContext context(Path stateRoot) {
        Map<String, String> flags = new HashMap<>();
        flags.put("bootstrap.servers", RUNTIME.bootstrapServers());
        flags.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        OnepipeConfig config = TopologyRunner.configure(new CampaignMetricsTopology(), Map.of(), Map.of(), flags);
        return new TopologyContext(CampaignMetricsTopology.NAME, Optional.of(SampleDatasets.AD_SERVED), SampleDatasets.AD_SERVED, config,
                RegisteredDatasets.load(config));
    }

    private static MetadataCatalog register(Map<String, Object> clientConfig) {
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig)) {
            List<RegistrationRequest> requests = new ArrayList<>();
            for (String dataset : List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS)) {
                requests.add(RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(dataset)), SampleDatasets.schema(dataset)));
            }
            registry.registerAll(requests).forEach(result -> assertTrue(result.accepted(), result.summary()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            MetadataCatalog catalog = registry.catalog();
            while (catalog.dataset(SampleDatasets.CAMPAIGNS).isEmpty() && System.nanoTime() < deadline) {
                catalog = registry.catalog();
            }
            return catalog;
        }
    }

    /** Sends {@code records} (or the one {@code value} to {@code dataset}) in the wire format, as onepipe's producer would. */
    private static void produce(Map<String, Object> clientConfig, MetadataCatalog catalog, List<GeneratedRecord> records, String dataset,
                                String key, GenericRecord value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(clientConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            Map<String, Serializer<GenericRecord>> serializers = new HashMap<>();
            if (value != null) {
                byte[] bytes = DatasetSerdes.generic(catalog, dataset).serializer().serialize(dataset, value);
                producer.send(new ProducerRecord<>(dataset, null, System.currentTimeMillis(), key.getBytes(StandardCharsets.UTF_8), bytes)).get();
            }
            for (GeneratedRecord record : records) {
                byte[] bytes = record.isCorrupt()
                        ? record.corruptBytes(catalog.latestSchemaForDataset(record.dataset()).orElseThrow().id())
                        : serializers.computeIfAbsent(record.dataset(), name -> DatasetSerdes.generic(catalog, name).serializer())
                                .serialize(record.dataset(), record.value());
                producer.send(new ProducerRecord<>(record.dataset(), null, record.timestampMillis(), record.key().getBytes(StandardCharsets.UTF_8), bytes));
            }
            producer.flush();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, Object> config = new HashMap<>(RUNTIME.runtime().clientConfig());
        config.put("group.id", "faults-it-" + System.nanoTime());
        config.put("auto.offset.reset", "earliest");
        config.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && records.isEmpty()) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        return records;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not yet: e.g. the group has no offsets before its first commit
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Timed out waiting until " + what);
    }
}
