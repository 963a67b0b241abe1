package dev.onepipe.campaign;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRecord;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.metadata.RegistrationPlan;
import dev.onepipe.metadata.RegistrationPlanner;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A {@link TopologyTestDriver} over a onepipe topology built exactly as {@link TopologyRunner#buildTopology} builds
 * it, with datasets registered offline by {@link RegistrationPlanner} and piped into the driver's metadata topic, so
 * the topology's global store fills its catalog the way it does in production.
 */
final class DatasetTopologyDriver implements AutoCloseable {

    static final Instant WALL_CLOCK_START = Instant.parse("2024-01-01T00:00:00Z");

    private final TopologyTestDriver driver;
    private final MetadataCatalog producerCatalog = new MetadataCatalog();
    private final Map<String, TestInputTopic<String, byte[]>> inputs = new HashMap<>();
    private final Map<String, Serializer<GenericRecord>> serializers = new HashMap<>();
    private final TopologyContext context;
    private final Path stateDirectory;

    /**
     * @param datasets sample datasets to register, and bundled output datasets by name
     * @param settings the topology's settings over its defaults (provisioning is off: there is no cluster)
     */
    DatasetTopologyDriver(OnepipeTopology topology, String dataset, List<String> datasets, Map<BundledDataset, String> outputs,
                          Map<String, String> settings) throws Exception {
        // under the build folder, not the shared temp folder, which other processes may tidy while a test runs
        stateDirectory = Files.createDirectories(Path.of("target", "ttd-state")).resolve(java.util.UUID.randomUUID().toString());
        Files.createDirectories(stateDirectory);
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("bootstrap.servers", "test-driver:9092");
        flags.put(TopologyRunner.STATE_ROOT, stateDirectory.toString());
        flags.put(CampaignMetricsSettings.PROVISION, "false");
        flags.put(YsbSettings.PROVISION, "false");
        flags.putAll(settings);
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), flags);
        context = new TopologyContext(topology.name(), Optional.of(dataset), dataset, config);
        Properties properties = TopologyRunner.streamsProperties(context);
        driver = new TopologyTestDriver(TopologyRunner.buildTopology(topology, context), properties, WALL_CLOCK_START);
        register(datasets, outputs);
    }

    private void register(List<String> datasets, Map<BundledDataset, String> outputs) {
        List<RegistrationRequest> requests = new ArrayList<>();
        for (String name : datasets) {
            requests.add(RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(name)), SampleDatasets.schema(name)));
        }
        outputs.forEach((bundled, name) -> requests.add(bundled.registrationRequest(name)));
        RegistrationPlan plan = new RegistrationPlanner(Clock.fixed(WALL_CLOCK_START, ZoneOffset.UTC)).plan(new MetadataCatalog(), requests);
        if (!plan.allAccepted()) {
            throw new IllegalStateException("Registration rejected: " + plan.results());
        }
        TestInputTopic<byte[], byte[]> metadata = driver.createInputTopic(MetadataTopic.DEFAULT_NAME, new ByteArraySerializer(), new ByteArraySerializer());
        for (MetadataRecord record : plan.records()) {
            metadata.pipeInput(record.key(), record.value(), WALL_CLOCK_START);
        }
        producerCatalog.applyAll(plan.entries());
    }

    /**
     * Lets a second of wall-clock time pass: emit-final checks and the joins' expiry of unmatched events run at most
     * once a second of wall-clock time, and the driver's clock stands still otherwise.
     */
    void advanceWallClock() {
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
    }

    TopologyContext context() {
        return context;
    }

    TopologyTestDriver driver() {
        return driver;
    }

    /** Pipes a record of a registered dataset (its topic is its name) at its event time, or its corrupt bytes. */
    void pipe(GeneratedRecord record) {
        byte[] value = record.isCorrupt()
                ? record.corruptBytes(producerCatalog.latestSchemaForDataset(record.dataset()).orElseThrow().id())
                : serializer(record.dataset()).serialize(record.dataset(), record.value());
        input(record.dataset()).pipeInput(record.key(), value, Instant.ofEpochMilli(record.timestampMillis()));
    }

    void pipeAll(List<GeneratedRecord> records) {
        records.forEach(this::pipe);
    }

    /** Pipes raw bytes, e.g. a value no registry would accept. */
    void pipeBytes(String topic, String key, byte[] value, Instant timestamp) {
        input(topic).pipeInput(key, value, timestamp);
    }

    private TestInputTopic<String, byte[]> input(String topic) {
        return inputs.computeIfAbsent(topic, name -> driver.createInputTopic(name, new StringSerializer(), new ByteArraySerializer()));
    }

    private Serializer<GenericRecord> serializer(String dataset) {
        return serializers.computeIfAbsent(dataset, name -> DatasetSerdes.generic(producerCatalog, name).serializer());
    }

    TestInputTopic<String, String> stringInput(String topic) {
        return driver.createInputTopic(topic, new StringSerializer(), new StringSerializer());
    }

    /** Every record written to a registered dataset's topic so far, decoded. */
    List<TestRecord<String, GenericRecord>> readDataset(String dataset) {
        TestOutputTopic<String, GenericRecord> output = driver.createOutputTopic(dataset, new StringDeserializer(),
                DatasetSerdes.generic(producerCatalog, dataset).deserializer());
        return output.readRecordsToList();
    }

    /** Every string record written to a topic so far. */
    List<TestRecord<String, String>> readStrings(String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer()).readRecordsToList();
    }

    List<TestRecord<String, byte[]>> readBytes(String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), Serdes.ByteArray().deserializer()).readRecordsToList();
    }

    @Override
    public void close() throws Exception {
        driver.close();
        try (var paths = Files.walk(stateDirectory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
