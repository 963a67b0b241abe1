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
import java.util.ArrayList;
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
import java.util.function.Consumer;
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
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.producer.SendFailures;
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
 * ({@link ReadAndCommitTopology}, same settings); and two more lines, Kafka Streams copying each record to one topic
 * and to two topics ({@link CopyTopology}: the writes dedup makes per changed state are two, a clean-topic record and a
 * changelog record; one is what it would make if the merge store were restored from the clean topic), which bound what
 * dedup can reach. Each line is timed from its first input commit to its last (start-up not counted), twice: cold, in
 * a warm-up pass of all four lines on application ids of their own, and steady, in the measured pass that follows in
 * the same JVM over the same input, when the JIT has compiled every line's hot path (in a single pass the JIT threads
 * took more CPU than the stream thread, and each line inherited the compiled code of the lines before it). Also reported: the JVM's peak heap while dedup runs (broker included, sampled every
 * 100 ms), the dedup stores' size on disk per million keys kept, and how many records changed a merged state. Prints
 * one summary table; {@code --output} writes it as JSON ({@link BenchmarkSummary}).
 */
@Command(name = "dedup", mixinStandardHelpOptions = true,
        description = {"Dedup throughput (records/s) next to Kafka Streams only reading and committing; target >= 0.5.",
            "On the embedded broker, in the same run: Kafka Streams only reading and committing the same input (the "
                + "reference), Kafka Streams copying each record to one topic and to two topics (the writes dedup makes "
                + "per change), and the dedup topology, each timed cold (a warm-up pass) and steady (a second pass in the "
                + "same JVM); peak heap; state size per million keys. One summary table; --output <file> writes it as JSON."})
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

    @Option(names = "--warm-up", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run every line once on its own application id before the measured pass (default: ${DEFAULT-VALUE}); "
                    + "--no-warm-up measures cold only.")
    boolean warmUp;

    @Option(names = "--set", paramLabel = "<key=value>", description = "Extra Kafka Streams or onepipe setting for every line and pass. Repeatable.")
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
            MetadataCatalog catalog = RegisteredDatasets.load(config(runtime.bootstrapServers(), stateRoot, "onepipe-bench-catalog"));

            Timing referenceCold = null;
            Timing copyOnceCold = null;
            Timing copyCold = null;
            Timing dedupCold = null;
            if (warmUp) {
                out.println("  warm-up pass (cold), each line on an application id of its own:");
                out.flush();
                referenceCold = timed(referenceTopology(), "-warm-up", "read and commit (warm-up)", clientConfig, stateRoot, runtime.bootstrapServers(), catalog, produced, null);
                copyOnceCold = timed(new CopyTopology(1, new DedupTopology().settings()), "-warm-up", "copy to one topic (warm-up)", clientConfig, stateRoot,
                        runtime.bootstrapServers(), catalog, produced, null);
                copyCold = timed(new CopyTopology(2, new DedupTopology().settings()), "-warm-up", "copy to two topics (warm-up)", clientConfig, stateRoot,
                        runtime.bootstrapServers(), catalog, produced, null);
                dedupCold = timed(new DedupTopology(), "-warm-up", "dedup (warm-up)", clientConfig, stateRoot, runtime.bootstrapServers(), catalog, produced, null);
                out.println("  measured pass:");
                out.flush();
            }
            Timing referenceRun = timed(referenceTopology(), "", "read and commit", clientConfig, stateRoot, runtime.bootstrapServers(), catalog, produced, null);
            Timing copyOnceRun = timed(new CopyTopology(1, new DedupTopology().settings()), "", "copy to one topic", clientConfig, stateRoot,
                    runtime.bootstrapServers(), catalog, produced, null);
            Timing copyRun = timed(new CopyTopology(2, new DedupTopology().settings()), "", "copy to two topics", clientConfig, stateRoot,
                    runtime.bootstrapServers(), catalog, produced, null);
            HeapPeak heap = new HeapPeak();
            long[] counts = new long[2];
            Timing dedupRun = timed(new DedupTopology(), "", "dedup", clientConfig, stateRoot, runtime.bootstrapServers(), catalog, produced, runner -> {
                counts[0] = DedupMetrics.total(runner.streams().metrics(), DedupMetrics.KEYS_KEPT);
                counts[1] = DedupMetrics.total(runner.streams().metrics(), DedupMetrics.STATE_CHANGES + "-total");
            }, heap);
            long keysKept = counts[0];
            long stateChanges = counts[1];
            long stateBytes = sizeOf(stateRoot.resolve(TopologyContext.APPLICATION_ID_PREFIX + DedupTopology.NAME + "-" + DATASET));
            report(produced, new Timing[] {referenceRun, copyOnceRun, copyRun, dedupRun}, new Timing[] {referenceCold, copyOnceCold, copyCold, dedupCold},
                    heap.peakBytes(), keysKept, stateChanges, stateBytes);
        } finally {
            deleteTree(stateRoot);
        }
        return 0;
    }

    private static ReadAndCommitTopology referenceTopology() {
        return new ReadAndCommitTopology("bench-read-and-commit", new DedupTopology().settings());
    }

    private Timing timed(OnepipeTopology topology, String applicationIdSuffix, String label, Map<String, Object> clientConfig, Path stateRoot,
            String bootstrapServers, MetadataCatalog catalog, long produced, Consumer<TopologyRunner> afterRun) throws Exception {
        return timed(topology, applicationIdSuffix, label, clientConfig, stateRoot, bootstrapServers, catalog, produced, afterRun, null);
    }

    /**
     * Runs one line over the whole input on the application id {@code onepipe-<name><suffix>-<dataset>} and times it;
     * {@code afterRun} reads the running application's metrics before it is closed, {@code heap} is sampled meanwhile.
     */
    private Timing timed(OnepipeTopology topology, String applicationIdSuffix, String label, Map<String, Object> clientConfig, Path stateRoot,
            String bootstrapServers, MetadataCatalog catalog, long produced, Consumer<TopologyRunner> afterRun, HeapPeak heap)
            throws Exception {
        OnepipeConfig config = config(bootstrapServers, stateRoot,
                TopologyContext.APPLICATION_ID_PREFIX + topology.name() + applicationIdSuffix + "-" + DATASET);
        try (TopologyRunner runner = TopologyRunner.start(topology, context(topology, config, catalog))) {
            if (heap != null) {
                heap.start();
            }
            Timing timing = recordsPerSecond(clientConfig, runner.applicationId(), produced, label);
            if (heap != null) {
                heap.stop();
            }
            if (afterRun != null) {
                afterRun.accept(runner);
            }
            return timing;
        }
    }

    private long produce(Map<String, Object> clientConfig) throws Exception {
        try (Admin admin = Admin.create(clientConfig)) {
            List<NewTopic> topics = new ArrayList<>();
            topics.add(new NewTopic(DATASET, Optional.of(partitions), Optional.empty()));
            for (int copies = 1; copies <= 2; copies++) {
                for (int copy = 1; copy <= copies; copy++) {
                    topics.add(new NewTopic(CopyTopology.topic(copies, copy), Optional.of(partitions), Optional.empty()));
                }
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            PartitionLeaders.await(admin, topics.stream().map(NewTopic::name).toList());
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
        SendFailures failures = new SendFailures();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (generator.hasNext()) {
                GeneratedRecord record = generator.next();
                producer.send(new ProducerRecord<>(DATASET, null, record.timestampMillis(), record.key().getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(DATASET, record.value())), failures);
                if (++sent % 10_000 == 0) {
                    progress.update(sent);
                }
            }
        }
        failures.throwIfAny("of " + DATASET);
        progress.finish(sent);
        out.printf(Locale.ROOT, "  %,d records, %,d distinct widgets, %,d exact re-sends%n", sent, generator.tally().distinctKeyCount(),
                generator.tally().duplicateCount());
        return sent;
    }

    // no EmbeddedRuntime in any signature: picocli reads every method's, and a per-topology jar has no embedded runtime
    private OnepipeConfig config(String bootstrapServers, Path stateRoot, String applicationId) {
        Map<String, String> flags = new HashMap<>();
        flags.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
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

    private static final String[] LINES = {"Kafka Streams read and commit (reference)", "Kafka Streams copying each record to one topic",
        "Kafka Streams copying each record to two topics", "dedup"};

    /** {@code measured} and {@code cold} in the order of {@link #LINES}; {@code cold} holds nulls without a warm-up pass. */
    private void report(long produced, Timing[] measured, Timing[] cold, long peakHeap, long keysKept, long stateChanges, long stateBytes) {
        BenchmarkSummary summary = new BenchmarkSummary("dedup", "records/s")
                .parameter("records", produced).parameter("keys", keys).parameter("duplicate rate", duplicateRate)
                .parameter("partitions", partitions).parameter("stream threads", threads).parameter("guarantee", "exactly_once_v2")
                .parameter("clean table", "off").parameter("warm-up pass", warmUp);
        settings.forEach(summary::parameter);
        String[] notes = {"same input, same settings, no deserialization",
            "dedup's writes if the merge store were restored from the clean topic",
            "the writes dedup makes per change (clean topic, changelog), without decoding or merging",
            String.format(Locale.ROOT, "%,d state changes written to the clean topic", stateChanges)};
        String pass = warmUp ? " (steady)" : " (cold)";
        BenchmarkSummary.Line[] lines = new BenchmarkSummary.Line[LINES.length];
        for (int line = 0; line < LINES.length; line++) {
            lines[line] = summary.rate(LINES[line], measured[line].perSecond(), measured[line].seconds(),
                    (warmUp ? "measured after the warm-up pass; " : "no warm-up pass; ") + notes[line]);
        }
        BenchmarkSummary.Line[] coldLines = new BenchmarkSummary.Line[LINES.length];
        if (warmUp) {
            for (int line = 0; line < LINES.length; line++) {
                coldLines[line] = summary.rate(LINES[line] + ", cold", cold[line].perSecond(), cold[line].seconds(), "warm-up pass, JIT warm-up included");
            }
        }
        summary.ratio("dedup / reference" + pass, lines[3], lines[0], 0.5);
        summary.ratio("copy to one topic / reference" + pass, lines[1], lines[0], null);
        summary.ratio("copy to two topics / reference" + pass, lines[2], lines[0], null);
        summary.ratio("dedup / copy to two topics" + pass, lines[3], lines[2], null);
        if (warmUp) {
            summary.ratio("dedup / reference (cold)", coldLines[3], coldLines[0], null);
            summary.ratio("copy to one topic / reference (cold)", coldLines[1], coldLines[0], null);
            summary.ratio("copy to two topics / reference (cold)", coldLines[2], coldLines[0], null);
        }
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
     * Reads the input as bytes and writes every record to {@code copies} topics, in the same exactly-once transactions:
     * with two, what dedup writes per changed merged state (a clean-topic record and a changelog record of the merge
     * store); with one, what it would write if the store were restored from the clean topic; without the decoding,
     * merging and state stores. It bounds what any topology making those writes can reach on the machine.
     */
    private static final class CopyTopology implements OnepipeTopology {

        private final int copies;
        private final List<TopologySetting> settings;

        CopyTopology(int copies, List<TopologySetting> settings) {
            this.copies = copies;
            this.settings = List.copyOf(settings);
        }

        /** The topic of copy {@code copy} (1-based) of the line copying to {@code copies} topics. */
        static String topic(int copies, int copy) {
            return DATASET + "-bench-copy" + copies + "-" + copy;
        }

        @Override
        public String name() {
            return "bench-copy-" + copies;
        }

        @Override
        public String description() {
            return copies == 1 ? "copy to one topic" : "copy to " + copies + " topics";
        }

        @Override
        public List<TopologySetting> settings() {
            return settings;
        }

        @Override
        public void addTo(StreamsBuilder builder, TopologyContext context) {
            KStream<byte[], byte[]> input = builder.stream(context.inputTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read"));
            for (int copy = 1; copy <= copies; copy++) {
                input.to(topic(copies, copy), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("copy-" + copy));
            }
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
