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
 * ({@link ReadAndCommitTopology}, same settings); and two more lines, Kafka Streams copying each record to one topic
 * and to two topics ({@link CopyTopology}: the writes dedup makes per changed state are two, a clean-topic record and a
 * changelog record; one is what it would make if the merge store were restored from the clean topic), which bound what
 * dedup can reach. Each line is timed twice from the same run: cold, from its first input commit to its last (start-up
 * not counted, JIT warm-up counted), and steady, from its first commit at or past {@code --warmup-share} of the input
 * to its last (the per-record cost once the JIT has compiled the line's hot path). Also reported: the JVM's peak heap while dedup runs (broker included, sampled every
 * 100 ms), the dedup stores' size on disk per million keys kept, and how many records changed a merged state. Prints
 * one summary table; {@code --output} writes it as JSON ({@link BenchmarkSummary}).
 */
@Command(name = "dedup", mixinStandardHelpOptions = true,
        description = {"Dedup throughput (records/s) next to Kafka Streams only reading and committing; target >= 0.5.",
            "On the embedded broker, in the same run: Kafka Streams only reading and committing the same input (the "
                + "reference), Kafka Streams copying each record to one topic and to two topics (the writes dedup makes "
                + "per change), and the dedup topology, each timed cold (whole input) and steady (after --warmup-share of "
                + "the input); peak heap; state size per million keys. One summary table; --output <file> writes it as JSON."})
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

    @Option(names = "--warmup-share", defaultValue = "0.5",
            description = "Share of the input each line processes before its steady-state timing starts (default: ${DEFAULT-VALUE}).")
    double warmupShare;

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

            Timing copyOnceRun = copy(1, clientConfig, config, catalog, produced);
            Timing copyRun = copy(2, clientConfig, config, catalog, produced);

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
            report(produced, referenceRun, copyOnceRun, copyRun, dedupRun, heap.peakBytes(), keysKept, stateChanges, stateBytes);
        } finally {
            deleteTree(stateRoot);
        }
        return 0;
    }

    private Timing copy(int copies, Map<String, Object> clientConfig, OnepipeConfig config, MetadataCatalog catalog, long produced) throws Exception {
        CopyTopology copy = new CopyTopology(copies, new DedupTopology().settings());
        try (TopologyRunner runner = TopologyRunner.start(copy, context(copy, config, catalog))) {
            return recordsPerSecond(clientConfig, runner.applicationId(), produced, copy.description());
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

    /**
     * Two rates of one line, records/s: cold from the first input commit to the last, steady from the first commit at or
     * past the warm-up share of the input to the last; with the seconds each covers.
     */
    private record Timing(double perSecond, double seconds, double steadyPerSecond, double steadySeconds) {
    }

    /**
     * Records per second from the application's first input commit to the commit that covers the whole input, and from
     * its first commit covering at least {@code warmupShare} of the input to that same last commit.
     */
    private Timing recordsPerSecond(Map<String, Object> clientConfig, String applicationId, long expected, String label) throws Exception {
        ProgressLine progress = new ProgressLine(System.out, label, expected);
        try (Admin admin = Admin.create(clientConfig)) {
            long firstCommitted = -1;
            long firstAt = 0;
            long warmCommitted = -1;
            long warmAt = 0;
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
                if (warmCommitted < 0 && committed >= warmupShare * expected && committed < expected) {
                    warmCommitted = committed;
                    warmAt = now;
                }
                progress.update(committed);
                // committed offsets count transaction markers as well as records
                if (committed >= expected) {
                    progress.finish(committed);
                    double seconds = (now - firstAt) / 1e9;
                    double steadySeconds = warmCommitted < 0 ? Double.NaN : (now - warmAt) / 1e9;
                    return new Timing((committed - firstCommitted) / seconds, seconds,
                            warmCommitted < 0 ? Double.NaN : (committed - warmCommitted) / steadySeconds, steadySeconds);
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    private void report(long produced, Timing reference, Timing copyOnce, Timing copy, Timing dedup, long peakHeap, long keysKept, long stateChanges,
            long stateBytes) {
        BenchmarkSummary summary = new BenchmarkSummary("dedup", "records/s")
                .parameter("records", produced).parameter("keys", keys).parameter("duplicate rate", duplicateRate)
                .parameter("partitions", partitions).parameter("stream threads", threads).parameter("guarantee", "exactly_once_v2")
                .parameter("clean table", "off").parameter("warm-up share", warmupShare);
        settings.forEach(summary::parameter);
        String changes = String.format(Locale.ROOT, "%,d state changes written to the clean topic", stateChanges);
        String steady = String.format(Locale.ROOT, "steady: after %.0f %% of the input", warmupShare * 100);
        BenchmarkSummary.Line referenceLine = summary.rate("Kafka Streams read and commit (reference)", reference.steadyPerSecond(),
                reference.steadySeconds(), steady + "; same input, same settings, no deserialization");
        BenchmarkSummary.Line copyOnceLine = summary.rate("Kafka Streams copying each record to one topic", copyOnce.steadyPerSecond(),
                copyOnce.steadySeconds(), steady + "; dedup's writes if the merge store were restored from the clean topic");
        BenchmarkSummary.Line copyLine = summary.rate("Kafka Streams copying each record to two topics", copy.steadyPerSecond(), copy.steadySeconds(),
                steady + "; the writes dedup makes per change (clean topic, changelog), without decoding or merging");
        BenchmarkSummary.Line dedupLine = summary.rate("dedup", dedup.steadyPerSecond(), dedup.steadySeconds(), steady + "; " + changes);
        BenchmarkSummary.Line referenceCold = summary.rate("Kafka Streams read and commit (reference), cold", reference.perSecond(), reference.seconds(),
                "whole input, JIT warm-up included");
        BenchmarkSummary.Line copyOnceCold = summary.rate("Kafka Streams copying each record to one topic, cold", copyOnce.perSecond(),
                copyOnce.seconds(), "whole input");
        BenchmarkSummary.Line copyCold = summary.rate("Kafka Streams copying each record to two topics, cold", copy.perSecond(), copy.seconds(),
                "whole input");
        BenchmarkSummary.Line dedupCold = summary.rate("dedup, cold", dedup.perSecond(), dedup.seconds(), "whole input");
        summary.ratio("dedup / reference (steady)", dedupLine, referenceLine, 0.5);
        summary.ratio("copy to one topic / reference (steady)", copyOnceLine, referenceLine, null);
        summary.ratio("copy to two topics / reference (steady)", copyLine, referenceLine, null);
        summary.ratio("dedup / copy to two topics (steady)", dedupLine, copyLine, null);
        summary.ratio("dedup / reference (cold)", dedupCold, referenceCold, null);
        summary.ratio("copy to one topic / reference (cold)", copyOnceCold, referenceCold, null);
        summary.ratio("copy to two topics / reference (cold)", copyCold, referenceCold, null);
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
