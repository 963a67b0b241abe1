package dev.onepipe.dedup.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.cli.BenchmarkSummary;
import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.ReadAndCommitTopology;
import dev.onepipe.dedup.topology.DedupMetrics;
import dev.onepipe.dedup.topology.DedupSettings;
import dev.onepipe.dedup.topology.DedupTopology;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onepipe bench dedup}: the dedup topology's throughput on the embedded broker, next to its reference line
 * measured in the same run on the same input: Kafka Streams only reading and committing it
 * ({@link ReadAndCommitTopology}, same settings); and a third line, Kafka Streams copying each record to two topics
 * (the writes dedup makes per changed state, {@link CopyTwiceTopology}), which bounds what dedup can reach. Both are timed from their first input commit to their last, so
 * start-up is not counted. Also reported: the JVM's peak heap while dedup runs (broker included, sampled every
 * 100 ms), the dedup stores' size on disk per million keys kept, and how many records changed a merged state. Prints
 * one summary table; {@code --output} writes it as JSON ({@link BenchmarkSummary}).
 */
@Command(name = "dedup", mixinStandardHelpOptions = true,
        description = {"Dedup throughput (records/s) next to Kafka Streams only reading and committing; target >= 0.5.",
            "On the embedded broker, in the same run: Kafka Streams only reading and committing the same input (the "
                + "reference), Kafka Streams copying each record to two topics (the writes dedup makes per change), and "
                + "the dedup topology; peak heap; state size per million keys. One summary table; --output <file> writes it as JSON."})
public final class DedupBenchmark implements Callable<Integer> {

    private static final String DATASET = SampleDatasets.WIDGETS;

    @Option(names = "--records", defaultValue = "1000000", description = "Widget records produced (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--keys", defaultValue = "200000", description = "Distinct widgets (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--duplicate-rate", defaultValue = "0.1", description = "Share of exact re-sends (default: ${DEFAULT-VALUE}).")
    double duplicateRate;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the input topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads (num.stream.threads, default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--set", paramLabel = "<key=value>", description = "Extra Kafka Streams or onepipe setting for both runs. Repeatable.")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--output", paramLabel = "<file>", description = "Also write the summary as JSON to this file.")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Path stateRoot = Files.createTempDirectory("onepipe-bench-dedup-");
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start()) {
            Map<String, Object> clientConfig = new HashMap<>(runtime.clientConfig());
            long produced = produce(clientConfig);
            OnepipeConfig config = config(runtime.bootstrapServers(), stateRoot);
            MetadataCatalog catalog = RegisteredDatasets.load(config);

            ReadAndCommitTopology reference = new ReadAndCommitTopology("bench-read-and-commit", new DedupTopology().settings());
            Timing referenceRun;
            try (TopologyRunner runner = TopologyRunner.start(reference, context(reference, config, catalog))) {
                referenceRun = recordsPerSecond(clientConfig, runner.applicationId(), produced, "read and commit");
            }
            out.printf(Locale.ROOT, "  Kafka Streams, read and commit only: %,.0f records/s%n", referenceRun.perSecond());
            out.flush();

            CopyTwiceTopology copy = new CopyTwiceTopology(new DedupTopology().settings());
            Timing copyRun;
            try (TopologyRunner runner = TopologyRunner.start(copy, context(copy, config, catalog))) {
                copyRun = recordsPerSecond(clientConfig, runner.applicationId(), produced, "copy to two topics");
            }

            DedupTopology dedup = new DedupTopology();
            HeapPeak heap = new HeapPeak();
            Timing dedupRun;
            long keysKept;
            long stateChanges;
            try (TopologyRunner runner = TopologyRunner.start(dedup, context(dedup, config, catalog))) {
                heap.start();
                dedupRun = recordsPerSecond(clientConfig, runner.applicationId(), produced, "dedup");
                heap.stop();
                keysKept = DedupMetrics.total(runner.streams().metrics(), DedupMetrics.KEYS_KEPT);
                stateChanges = DedupMetrics.total(runner.streams().metrics(), DedupMetrics.STATE_CHANGES + "-total");
            }
            long stateBytes = sizeOf(stateRoot.resolve(TopologyContext.APPLICATION_ID_PREFIX + DedupTopology.NAME + "-" + DATASET));
            report(produced, referenceRun, copyRun, dedupRun, heap.peakBytes(), keysKept, stateChanges, stateBytes);
        } finally {
            deleteTree(stateRoot);
        }
        return 0;
    }

    private long produce(Map<String, Object> clientConfig) throws Exception {
        try (Admin admin = Admin.create(clientConfig)) {
            admin.createTopics(List.of(new NewTopic(DATASET, Optional.of(partitions), Optional.empty()),
                    new NewTopic(CopyTwiceTopology.FIRST_COPY, Optional.of(partitions), Optional.empty()),
                    new NewTopic(CopyTwiceTopology.SECOND_COPY, Optional.of(partitions), Optional.empty()))).all().get(60, TimeUnit.SECONDS);
        }
        MetadataCatalog catalog;
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig)) {
            registry.register(RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(DATASET)), SampleDatasets.schema(DATASET)));
            catalog = registry.catalog();
            while (catalog.dataset(DATASET).isEmpty()) {
                TimeUnit.MILLISECONDS.sleep(100);
                catalog = registry.catalog();
            }
        }
        // event times end a day ago, within the default seven-day horizon: nothing is forgotten during the run
        Instant start = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.HOURS);
        WidgetGenerator generator = new WidgetGenerator(WidgetGeneratorConfig.builder().seed(1).recordCount(records).widgetCount(keys)
                .duplicateRate(duplicateRate).corruptRate(0).startTimeMillis(start.toEpochMilli()).timeSpanMillis(Duration.ofHours(48).toMillis()).build());
        Serializer<GenericRecord> serializer = DatasetSerdes.generic(catalog, DATASET).serializer();
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        ProgressLine progress = new ProgressLine(System.out, "producing widgets", records);
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (generator.hasNext()) {
                GeneratedRecord record = generator.next();
                producer.send(new ProducerRecord<>(DATASET, null, record.timestampMillis(), record.key().getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(DATASET, record.value())));
                if (++sent % 10_000 == 0) {
                    progress.update(sent);
                }
            }
        }
        progress.finish(sent);
        out.printf(Locale.ROOT, "  %,d records, %,d distinct widgets, %,d exact re-sends%n", sent, generator.tally().distinctKeyCount(),
                generator.tally().duplicateCount());
        return sent;
    }

    // no EmbeddedRuntime in any signature: picocli reads every method's, and a per-topology jar has no embedded runtime
    private OnepipeConfig config(String bootstrapServers, Path stateRoot) {
        Map<String, String> flags = new HashMap<>();
        flags.put("bootstrap.servers", bootstrapServers);
        flags.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        flags.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        flags.put(DedupSettings.TABLE_ENABLED, "false");
        flags.putAll(settings);
        return TopologyRunner.configure(new DedupTopology(), Map.of(), Map.of(), flags);
    }

    private static TopologyContext context(OnepipeTopology topology, OnepipeConfig config, MetadataCatalog catalog) {
        return new TopologyContext(topology.name(), Optional.of(DATASET), DATASET, config, catalog);
    }

    /** A rate measured from the first input commit to the last, and the seconds between them. */
    private record Timing(double perSecond, double seconds) {
    }

    /** Records per second from the application's first input commit to the commit that covers the whole input. */
    private static Timing recordsPerSecond(Map<String, Object> clientConfig, String applicationId, long expected, String label) throws Exception {
        ProgressLine progress = new ProgressLine(System.out, label, expected);
        try (Admin admin = Admin.create(clientConfig)) {
            long firstCommitted = -1;
            long firstAt = 0;
            while (true) {
                long committed = 0;
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
                for (Map.Entry<TopicPartition, OffsetAndMetadata> offset : offsets.entrySet()) {
                    if (offset.getKey().topic().equals(DATASET) && offset.getValue() != null) {
                        committed += offset.getValue().offset();
                    }
                }
                long now = System.nanoTime();
                if (firstCommitted < 0 && committed > 0) {
                    firstCommitted = committed;
                    firstAt = now;
                }
                progress.update(committed);
                // committed offsets count transaction markers as well as records
                if (committed >= expected) {
                    progress.finish(committed);
                    double seconds = (now - firstAt) / 1e9;
                    return new Timing((committed - firstCommitted) / seconds, seconds);
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    private void report(long produced, Timing reference, Timing copy, Timing dedup, long peakHeap, long keysKept, long stateChanges, long stateBytes) {
        BenchmarkSummary summary = new BenchmarkSummary("dedup", "records/s")
                .parameter("records", produced).parameter("keys", keys).parameter("duplicate rate", duplicateRate)
                .parameter("partitions", partitions).parameter("stream threads", threads).parameter("guarantee", "exactly_once_v2")
                .parameter("clean table", "off");
        BenchmarkSummary.Line referenceLine = summary.rate("Kafka Streams read and commit (reference)", reference.perSecond(), reference.seconds(),
                "same input, same settings, no deserialization");
        BenchmarkSummary.Line copyLine = summary.rate("Kafka Streams copying each record to two topics", copy.perSecond(), copy.seconds(),
                "the writes dedup makes per change (clean topic, changelog), without decoding or merging");
        BenchmarkSummary.Line dedupLine = summary.rate("dedup", dedup.perSecond(), dedup.seconds(),
                String.format(Locale.ROOT, "%,d state changes written to the clean topic", stateChanges));
        summary.ratio("dedup / reference", dedupLine, referenceLine, 0.5);
        summary.ratio("copy to two topics / reference", copyLine, referenceLine, null);
        summary.ratio("dedup / copy to two topics", dedupLine, copyLine, null);
        summary.measure("peak heap while dedup ran (whole JVM, broker included)", peakHeap / (1024 * 1024), "MB")
                .measure("keys kept", keysKept, "keys")
                .measure("merged-state changes", stateChanges, "records")
                .measure("state on disk", stateBytes / (1024 * 1024), "MB")
                .measure("state on disk per million keys", keysKept == 0 ? 0.0 : stateBytes / (1024.0 * 1024) * 1_000_000 / keysKept, "MB");
        summary.print(out);
        if (output != null) {
            summary.writeJson(output);
            out.println("  written to " + output);
            out.flush();
        }
    }

    private static long sizeOf(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }

    /**
     * Reads the input as bytes and writes every record to two topics, in the same exactly-once transactions: what dedup
     * writes per changed merged state (a clean-topic record and a changelog record of the merge store), without the
     * decoding, merging and state stores. It bounds what any topology making those writes can reach on the machine.
     */
    private static final class CopyTwiceTopology implements OnepipeTopology {

        static final String FIRST_COPY = DATASET + "-bench-copy-1";
        static final String SECOND_COPY = DATASET + "-bench-copy-2";

        private final List<TopologySetting> settings;

        CopyTwiceTopology(List<TopologySetting> settings) {
            this.settings = List.copyOf(settings);
        }

        @Override
        public String name() {
            return "bench-copy-twice";
        }

        @Override
        public String description() {
            return "Copies each input record to two topics (a benchmark's line)";
        }

        @Override
        public List<TopologySetting> settings() {
            return settings;
        }

        @Override
        public void addTo(StreamsBuilder builder, TopologyContext context) {
            KStream<byte[], byte[]> input = builder.stream(context.inputTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read"));
            input.to(FIRST_COPY, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("first-copy"));
            input.to(SECOND_COPY, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("second-copy"));
        }
    }

    /** The largest heap use seen, sampled every 100 ms on a daemon thread. */
    private static final class HeapPeak {

        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sampler = new Thread(this::sample, "bench-heap-sampler");

        void start() {
            sampler.setDaemon(true);
            sampler.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            sampler.join();
        }

        long peakBytes() {
            return peak.get();
        }

        private void sample() {
            while (running.get()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    TimeUnit.MILLISECONDS.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
