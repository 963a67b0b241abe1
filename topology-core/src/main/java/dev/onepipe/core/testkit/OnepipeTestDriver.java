package dev.onepipe.core.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.deadletter.DeadLetter;
import dev.onepipe.core.deadletter.DeadLetterMetrics;
import dev.onepipe.core.deadletter.DeadLetterTopics;
import dev.onepipe.core.deadletter.GlobalDeadLetters;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRecord;
import dev.onepipe.metadata.RegistrationPlan;
import dev.onepipe.metadata.RegistrationPlanner;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs a onepipe topology in a {@link TopologyTestDriver}: no broker, milliseconds per test. Schemas and dataset
 * metadata are registered up front (planned offline with the registry's own {@link RegistrationPlanner}, then piped
 * into the driver's metadata topic, so the catalog is fed through the same global store as in production), and
 * datasets are read and written as Avro records:
 *
 * <pre>{@code
 * try (OnepipeTestDriver driver = OnepipeTestDriver.builder(new WidgetPricesTopology())
 *         .registerDatasetResources("onepipe/datasets/widgets.json", "onepipe/datasets/widgets.avsc")
 *         .registerDatasetResources("widget-prices.json", "widget-prices.avsc")
 *         .dataset("widgets")
 *         .build()) {
 *     driver.input("widgets").pipeJson("{\"widget_id\": \"w-1\", ...}", Instant.parse("2024-01-01T00:00:00Z"));
 *     List<GenericRecord> prices = driver.output("widget-prices").readValuesToList();
 *     List<DeadLetter> rejected = driver.deadLetters("widgets");
 * }
 * }</pre>
 *
 * The topology runs with the same configuration and exception handlers (dead letters) as under {@code onepipe run},
 * except that {@code processing.guarantee} defaults to {@code at_least_once}: the driver processes each record
 * synchronously, and its exactly-once transactions would only hold dead letters back. Its
 * {@link OnepipeTopology#provision} runs first, as under the runner, but offline ({@link OfflineProvisioning}): the
 * datasets it registers are in the catalog and readable with {@link #output}, and the topics it creates need nothing.
 * {@link #testDriver()} gives the underlying driver for anything else.
 */
public final class OnepipeTestDriver implements AutoCloseable {

    /** Where the driver's wall clock starts unless told otherwise; fixed so tests are reproducible. */
    public static final Instant DEFAULT_START_TIME = Instant.parse("2024-01-01T00:00:00Z");

    private final TopologyTestDriver driver;
    private final TopologyContext context;
    private final Path stateDirectory;
    private final RegistrationPlanner planner;
    private final TestInputTopic<byte[], byte[]> metadataTopic;
    private final List<ProducerRecord<byte[], byte[]>> globalDeadLetters;
    private final Map<String, DatasetOutputTopic> outputs = new LinkedHashMap<>();
    private final Map<String, TestOutputTopic<byte[], byte[]>> deadLetterTopics = new LinkedHashMap<>();

    private OnepipeTestDriver(TopologyTestDriver driver, TopologyContext context, Path stateDirectory, RegistrationPlanner planner,
                              TestInputTopic<byte[], byte[]> metadataTopic, List<ProducerRecord<byte[], byte[]>> globalDeadLetters) {
        this.driver = driver;
        this.context = context;
        this.stateDirectory = stateDirectory;
        this.planner = planner;
        this.metadataTopic = metadataTopic;
        this.globalDeadLetters = globalDeadLetters;
    }

    /** A driver for {@code topology}. */
    public static Builder builder(OnepipeTopology topology) {
        return new Builder(Objects.requireNonNull(topology, "topology"));
    }

    /** A driver for processing that is not (yet) an {@link OnepipeTopology}: {@code addTo} builds it. */
    public static Builder builder(String topologyName, BiConsumer<StreamsBuilder, TopologyContext> addTo) {
        Objects.requireNonNull(addTo, "addTo");
        return builder(new OnepipeTopology() {
            @Override
            public String name() {
                return topologyName;
            }

            @Override
            public String description() {
                return "test topology " + topologyName;
            }

            @Override
            public List<TopologySetting> settings() {
                return List.of();
            }

            @Override
            public boolean acceptsAnyTopic() {
                return true;
            }

            @Override
            public void addTo(StreamsBuilder builder, TopologyContext context) {
                addTo.accept(builder, context);
            }
        });
    }

    /**
     * Registers while the topology runs, as {@code onepipe register} would against a running application: the request
     * is planned against the current catalog and its records are piped into the metadata topic, so the topology's
     * catalog learns them through its global store, between two records.
     *
     * @throws IllegalArgumentException if the registry refuses the request (the message gives its reasons)
     */
    public OnepipeTestDriver register(RegistrationRequest request) {
        RegistrationPlan plan = planner.plan(context.catalog(), Objects.requireNonNull(request, "request"));
        RegistrationResult result = plan.result();
        if (!result.accepted()) {
            throw new IllegalArgumentException("Registration rejected: " + request + ": " + String.join("; ", result.reasons()));
        }
        for (MetadataRecord record : plan.records()) {
            metadataTopic.pipeInput(record.key(), record.value());
        }
        return this;
    }

    /** Registers a new version of a registered dataset's schema while the topology runs ({@link #register}). */
    public OnepipeTestDriver registerDatasetSchema(String datasetName, Schema schema) {
        return register(RegistrationRequest.datasetSchema(datasetName, schema));
    }

    /** Records to pipe into {@code dataset}'s topic. */
    public DatasetInputTopic input(String dataset) {
        return new DatasetInputTopic(driver, context.catalog(), dataset);
    }

    /** Records the topology wrote to {@code dataset}'s topic, read as written. */
    public DatasetOutputTopic output(String dataset) {
        return outputs.computeIfAbsent(dataset, name -> new DatasetOutputTopic(driver, context.catalog(), name));
    }

    /**
     * The dead letters written to the dead-letter topic of a dataset (its topic's {@code .dlq}) or, for a name that
     * is not a registered dataset, of that topic, since the last call; each is read once. Those of the topology's tasks
     * come first, then those of its global processors ({@link GlobalDeadLetters}, e.g. unreadable reference records).
     */
    public List<DeadLetter> deadLetters(String datasetOrTopic) {
        String topic = context.catalog().dataset(datasetOrTopic).map(version -> version.metadata().topic()).orElse(datasetOrTopic);
        TestOutputTopic<byte[], byte[]> deadLetterTopic = deadLetterTopics.computeIfAbsent(topic, name ->
                driver.createOutputTopic(DeadLetterTopics.of(name), new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        List<DeadLetter> deadLetters = new ArrayList<>();
        for (TestRecord<byte[], byte[]> record : deadLetterTopic.readRecordsToList()) {
            deadLetters.add(DeadLetter.from(record.key(), record.value(), record.timestamp(), record.headers()));
        }
        String deadLetterTopicName = DeadLetterTopics.of(topic);
        synchronized (globalDeadLetters) {
            for (Iterator<ProducerRecord<byte[], byte[]>> sent = globalDeadLetters.iterator(); sent.hasNext(); ) {
                ProducerRecord<byte[], byte[]> record = sent.next();
                if (record.topic().equals(deadLetterTopicName)) {
                    deadLetters.add(DeadLetter.from(record.key(), record.value(), record.timestamp() == null ? -1 : record.timestamp(), record.headers()));
                    sent.remove();
                }
            }
        }
        return deadLetters;
    }

    /** Dead-letter records counted by the application's Kafka Streams metric, over all topics and reasons. */
    public long deadLetterCount() {
        return DeadLetterMetrics.total(metrics());
    }

    public Map<MetricName, ? extends Metric> metrics() {
        return driver.metrics();
    }

    /** Moves the wall clock on, running wall-clock punctuations that fall due. */
    public void advanceWallClockTime(Duration advance) {
        driver.advanceWallClockTime(advance);
    }

    /** The context the topology was built with: configuration and catalog. */
    public TopologyContext context() {
        return context;
    }

    public MetadataCatalog catalog() {
        return context.catalog();
    }

    /** The underlying driver, for state stores, raw topics and everything else. */
    public TopologyTestDriver testDriver() {
        return driver;
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            deleteQuietly(stateDirectory);
        }
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary folder must not fail a test.
        }
    }

    /** Registers datasets and configures the topology, then {@link #build()}s the driver. */
    public static final class Builder {

        private static final String TEST_BOOTSTRAP_SERVERS = "test-driver:9092";

        private final OnepipeTopology topology;
        private final List<RegistrationRequest> requests = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private String dataset;
        private String topic;
        private Instant startTime = DEFAULT_START_TIME;

        private Builder(OnepipeTopology topology) {
            this.topology = topology;
        }

        /** Registers a dataset's metadata and value schema. */
        public Builder registerDataset(DatasetMetadata metadata, Schema schema) {
            return register(RegistrationRequest.dataset(metadata, schema));
        }

        /** Registers a dataset from its metadata JSON and its schema JSON ({@code .avsc} text). */
        public Builder registerDataset(String metadataJson, String schemaJson) {
            return register(RegistrationRequest.dataset(DatasetMetadata.fromJson(metadataJson), schemaJson));
        }

        /** Registers a dataset from a metadata {@code .json} file and a schema {@code .avsc} file. */
        public Builder registerDataset(Path metadataFile, Path schemaFile) {
            return registerDataset(read(metadataFile), read(schemaFile));
        }

        /** Registers a dataset from class path resources, e.g. {@code onepipe/datasets/widgets.json} and {@code .avsc}. */
        public Builder registerDatasetResources(String metadataResource, String schemaResource) {
            return registerDataset(resource(metadataResource), resource(schemaResource));
        }

        /** Registers a new schema version for a registered dataset. */
        public Builder registerDatasetSchema(String datasetName, Schema schema) {
            return register(RegistrationRequest.datasetSchema(datasetName, schema));
        }

        /** Registers a schema under a subject of its own. */
        public Builder registerSchema(String subject, Schema schema) {
            return register(RegistrationRequest.schema(subject, schema));
        }

        /** Any registration; all are planned in order when the driver is built, and each must be accepted. */
        public Builder register(RegistrationRequest request) {
            requests.add(Objects.requireNonNull(request, "request"));
            return this;
        }

        /** The dataset the topology runs for, as {@code onepipe run --dataset}. */
        public Builder dataset(String name) {
            this.dataset = name;
            this.topic = null;
            return this;
        }

        /** The raw topic the topology runs for, as {@code onepipe run --topic}. */
        public Builder topic(String name) {
            this.topic = name;
            this.dataset = null;
            return this;
        }

        /** A configuration setting, as {@code --set key=value}. */
        public Builder set(String key, Object value) {
            settings.put(key, String.valueOf(value));
            return this;
        }

        /** Where the driver's wall clock starts; default {@link #DEFAULT_START_TIME}. */
        public Builder startTime(Instant time) {
            this.startTime = Objects.requireNonNull(time, "time");
            return this;
        }

        public OnepipeTestDriver build() {
            if (dataset == null && topic == null) {
                throw new IllegalStateException("Say what the topology runs for: dataset(name) or topic(name)");
            }
            RegistrationPlanner planner = new RegistrationPlanner(Clock.fixed(startTime, ZoneOffset.UTC));
            RegistrationPlan plan = planner.plan(new MetadataCatalog(), requests);
            List<String> rejections = new ArrayList<>();
            for (RegistrationResult result : plan.results()) {
                if (!result.accepted()) {
                    rejections.add(result.request() + ": " + String.join("; ", result.reasons()));
                }
            }
            if (!rejections.isEmpty()) {
                throw new IllegalArgumentException("Registration rejected: " + String.join(" | ", rejections));
            }
            // The runner reads the registry before it builds a topology; the test kit does the same with the plan.
            MetadataCatalog catalog = new MetadataCatalog();
            catalog.applyAll(plan.entries());
            String inputTopic = topic != null ? topic : catalog.dataset(dataset).map(version -> version.metadata().topic())
                    .orElseThrow(() -> new IllegalArgumentException("Dataset '" + dataset + "' is not registered with the test driver"));
            Path stateDirectory = temporaryDirectory();
            Map<String, String> fixed = new LinkedHashMap<>();
            fixed.put(OnepipeConfig.BOOTSTRAP_SERVERS, TEST_BOOTSTRAP_SERVERS);
            fixed.put(StreamsConfig.STATE_DIR_CONFIG, stateDirectory.toString());
            // The driver processes each record synchronously, so transactions add nothing but a delay: a dead letter
            // written while reading a record would wait in an open transaction until the next record is processed.
            Map<String, String> defaults = Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
            OnepipeConfig config = TopologyRunner.configure(topology, defaults, Map.of(), settings).with("test driver", fixed);
            TopologyContext context = new TopologyContext(topology.name(), Optional.ofNullable(dataset), inputTopic, config, catalog);
            // As the runner does before it builds: the topology's own provisioning, offline.
            OfflineProvisioning provisioning = new OfflineProvisioning(catalog, planner);
            topology.provision(context, provisioning);
            Topology built = TopologyRunner.buildTopology(topology, context);
            Properties properties = TopologyRunner.streamsProperties(context);
            // No broker: the dead letters of global processors are kept here and read with deadLetters(...).
            List<ProducerRecord<byte[], byte[]>> globalDeadLetters = Collections.synchronizedList(new ArrayList<>());
            properties.put(GlobalDeadLetters.SINK_CONFIG, (Consumer<ProducerRecord<byte[], byte[]>>) globalDeadLetters::add);
            TopologyTestDriver driver = new TopologyTestDriver(built, properties, startTime);
            TestInputTopic<byte[], byte[]> metadataTopic;
            try {
                metadataTopic = driver.createInputTopic(context.metadataTopic(),
                        new ByteArraySerializer(), new ByteArraySerializer(), startTime, Duration.ZERO);
                List<MetadataRecord> records = new ArrayList<>(plan.records());
                records.addAll(provisioning.records());
                for (MetadataRecord record : records) {
                    metadataTopic.pipeInput(record.key(), record.value());
                }
            } catch (RuntimeException e) {
                driver.close();
                throw e;
            }
            return new OnepipeTestDriver(driver, context, stateDirectory, planner, metadataTopic, globalDeadLetters);
        }

        private static Path temporaryDirectory() {
            try {
                return Files.createTempDirectory("onepipe-test-driver");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        private static String resource(String name) {
            ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader()).orElse(OnepipeTestDriver.class.getClassLoader());
            try (InputStream input = loader.getResourceAsStream(name)) {
                if (input == null) {
                    throw new IllegalArgumentException("No class path resource " + name);
                }
                return new String(input.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read class path resource " + name, e);
            }
        }
    }
}
