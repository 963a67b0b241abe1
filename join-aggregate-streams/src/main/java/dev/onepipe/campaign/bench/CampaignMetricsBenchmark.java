package dev.onepipe.campaign.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.onepipe.campaign.CampaignMetricsSettings;
import dev.onepipe.campaign.YsbSettings;
import dev.onepipe.campaign.YsbTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.BenchmarkSummary;
import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.ApplicationLag;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.ReadAndCommitTopology;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.YsbGenerator;
import dev.onepipe.testdata.YsbGeneratorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code onepipe bench campaign-metrics}: the Yahoo Streaming Benchmark end to end on the embedded broker.
 *
 * <ol>
 *   <li>Throughput: {@code --events} YSB events are produced first; then a plain {@code KafkaConsumer} reads them all
 *       (the ceiling: nothing can process faster than it can read), a Kafka Streams application only reads and
 *       commits them (what Kafka Streams itself costs), then the {@code ysb} topology processes them (decode, keep
 *       views, join to campaign, count per campaign per 10 s, publish, exactly-once). Events per second of each, and
 *       their ratios to the ceiling.</li>
 *   <li>Latency: events are produced at {@code --rate} per second, each at its own event time, for
 *       {@code --latency-seconds}; for every campaign window that closes meanwhile, latency is the time from the window's
 *       end to its final result being readable (read_committed) on the output topic. The lower bound is the grace
 *       period: a final result cannot exist before the window closes.</li>
 *   <li>Apache Flink, the peer ({@link FlinkYsbPeer}): the same query as a Flink job in a child JVM, same input, same
 *       parallelism, exactly once, measured the same way (first to last input offset commit) and run through the same
 *       latency run; both engines' window counts are checked against the generator's tally.</li>
 * </ol>
 *
 * <p>Prints one summary table; {@code --output} writes it as JSON ({@link BenchmarkSummary}).
 */
@Command(name = "campaign-metrics", mixinStandardHelpOptions = true,
        description = {"Yahoo Streaming Benchmark: events/s and latency of the ysb topology next to Apache Flink.",
            "On the embedded broker, in the same run: a plain KafkaConsumer reading the same input, Kafka Streams only "
                + "reading and committing it, Apache Flink running the same query (the bench-flink jar, when built) and "
                + "the ysb topology; then latency from window end to final result. Targets: ysb >= 1.0 x Flink and >= 0.5 x "
                + "read and commit; p99 <= grace + 0.5 s. One summary table; --output <file> writes it as JSON."})
public final class CampaignMetricsBenchmark implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "1000000", description = "Events for the throughput run (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the input topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--threads", defaultValue = "2", description = "Stream threads (num.stream.threads, default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--rate", defaultValue = "10000", description = "Events per second in the latency run (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--latency-seconds", defaultValue = "60", description = "Length of the latency run (default: ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--grace-ms", defaultValue = "1000", description = "Grace period of the windows (default: ${DEFAULT-VALUE}).")
    long graceMillis;

    @Option(names = "--set", paramLabel = "<key=value>", description = "Extra Kafka Streams or onepipe setting for the topology. Repeatable.")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--flink-jar", paramLabel = "<file>", description = "The Flink peer's jar (default: ${DEFAULT-VALUE}; built with "
            + FlinkYsbPeer.BUILD_COMMAND + ").")
    Path flinkJar = FlinkYsbPeer.DEFAULT_JAR;

    @Option(names = "--output", paramLabel = "<file>", description = "Also write the summary as JSON to this file.")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Path stateRoot = Files.createTempDirectory("onepipe-bench-");
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start()) {
            Map<String, Object> clientConfig = new HashMap<>(runtime.clientConfig());
            YsbWorkload.registerDatasets(clientConfig, MetadataTopic.DEFAULT_NAME, partitions);
            try (DatasetProducer producer = DatasetProducer.connect(clientConfig)) {
                long now = System.currentTimeMillis();
                // ten events per millisecond of event time, all in the past: the latency run later continues from now
                long span = Math.max(1, events / 10);
                YsbWorkload throughputLoad = new YsbWorkload(new YsbGenerator(YsbGeneratorConfig.builder()
                        .seed(1).eventCount(events).startTimeMillis(now - span - 60_000).timeSpanMillis(span).build()));
                throughputLoad.produceCampaigns(producer);
                ProgressLine producing = new ProgressLine(System.out, "producing ysb-events", events);
                long produced = throughputLoad.produce(producer, events, producing::update);
                producing.finish(produced);

                double ceiling = consumerEventsPerSecond(clientConfig, produced);
                out.printf(Locale.ROOT, "  plain KafkaConsumer: %,.0f events/s%n", ceiling);
                out.flush();

                OnepipeConfig config = topologyConfig(runtime.bootstrapServers(), stateRoot);
                MetadataCatalog catalog = RegisteredDatasets.load(config);
                double streamsFloor = streamsEventsPerSecond(clientConfig, new ReadAndCommitTopology("bench-read-and-commit", List.of()), config, catalog, produced);
                out.printf(Locale.ROOT, "  Kafka Streams, read and commit only: %,.0f events/s%n", streamsFloor);
                out.flush();
                FlinkYsbPeer flink = new FlinkYsbPeer(flinkJar, clientConfig, threads, YsbSettings.windowSizeMillis(config),
                        graceMillis, config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100), partitions, out);
                FlinkYsbPeer.Throughput flinkThroughput = flink.available() ? flink.throughput(catalog, produced) : null;
                TopologyContext context = new TopologyContext(YsbTopology.NAME, Optional.of(SampleDatasets.YSB_EVENTS), SampleDatasets.YSB_EVENTS,
                        config, catalog);
                double topology;
                Map<String, Long> checks = new LinkedHashMap<>();
                List<Long> latencies;
                try (TopologyRunner runner = TopologyRunner.start(new YsbTopology(), context)) {
                    topology = topologyEventsPerSecond(clientConfig, context.applicationId(), produced);
                    out.printf(Locale.ROOT, "  ysb topology:        %,.0f events/s (%d stream threads)%n", topology, threads);
                    out.printf(Locale.ROOT, "  ratio:               %.2f%n", topology / ceiling);
                    out.flush();
                    long lastEvent = throughputLoad.generator().config().startTimeMillis() + throughputLoad.generator().config().timeSpanMillis();
                    awaitProcessed(clientConfig, context.applicationId());
                    countDifferences(clientConfig, config, throughputLoad.generator().tally().viewsPerCampaignWindow(),
                            flinkThroughput, lastEvent, checks);
                    latencies = latencies(clientConfig, producer, config);
                }
                // the topology has stopped: Flink's latency run has the machine to itself, as the topology's had
                List<Long> flinkLatencies = flinkThroughput == null ? null
                        : flink.latencies(RegisteredDatasets.load(config), producer, rate, latencySeconds);
                report(ceiling, streamsFloor, topology, latencies, flinkThroughput, flinkLatencies, checks);
            }
        } finally {
            deleteTree(stateRoot);
        }
        return 0;
    }

    /** Takes the bootstrap servers rather than the runtime: picocli reads every method's signature, and a per-topology jar has no EmbeddedRuntime. */
    private OnepipeConfig topologyConfig(String bootstrapServers, Path stateRoot) {
        Map<String, String> flags = new HashMap<>();
        flags.put("bootstrap.servers", bootstrapServers);
        flags.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        flags.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        flags.put(YsbSettings.GRACE_MS, Long.toString(graceMillis));
        flags.putAll(settings);
        return TopologyRunner.configure(new YsbTopology(), Map.of(), Map.of(), flags);
    }

    private static double streamsEventsPerSecond(Map<String, Object> clientConfig, ReadAndCommitTopology topology, OnepipeConfig config,
                                                 MetadataCatalog catalog, long expected) throws Exception {
        TopologyContext context = new TopologyContext(topology.name(), Optional.of(SampleDatasets.YSB_EVENTS), SampleDatasets.YSB_EVENTS,
                config, catalog);
        try (TopologyRunner runner = TopologyRunner.start(topology, context)) {
            return topologyEventsPerSecond(clientConfig, context.applicationId(), expected);
        }
    }

    /** Reads the whole input with one plain consumer; events per second from the first record to the last. */
    private static double consumerEventsPerSecond(Map<String, Object> clientConfig, long expected) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "onepipe-bench-ceiling");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(SampleDatasets.YSB_EVENTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long read = 0;
            long first = 0;
            while (read < expected) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (read == 0 && !records.isEmpty()) {
                    first = System.nanoTime();
                }
                read += records.count();
            }
            return read / ((System.nanoTime() - first) / 1e9);
        }
    }

    /**
     * Follows the topology's committed input offsets until it has processed everything; events per second from its
     * first commit to its last, so start-up and state restoration are not counted.
     */
    private static double topologyEventsPerSecond(Map<String, Object> clientConfig, String applicationId, long expected) throws Exception {
        ProgressLine progress = new ProgressLine(System.out, "ysb topology", expected);
        try (Admin admin = Admin.create(clientConfig)) {
            long firstCommitted = -1;
            long firstAt = 0;
            while (true) {
                long committed = 0;
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
                for (Map.Entry<TopicPartition, OffsetAndMetadata> offset : offsets.entrySet()) {
                    if (offset.getKey().topic().equals(SampleDatasets.YSB_EVENTS) && offset.getValue() != null) {
                        committed += offset.getValue().offset();
                    }
                }
                long now = System.nanoTime();
                if (firstCommitted < 0 && committed > 0) {
                    firstCommitted = committed;
                    firstAt = now;
                }
                progress.update(committed);
                if (committed >= expected) {
                    progress.finish(committed);
                    return (committed - firstCommitted) / ((now - firstAt) / 1e9);
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    /**
     * Waits until the topology has committed everything written to its input and to its own repartition topic (the
     * partial counts), so the results read next are all there are.
     */
    private static void awaitProcessed(Map<String, Object> clientConfig, String applicationId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try (Admin admin = Admin.create(clientConfig)) {
            while (ApplicationLag.total(admin, applicationId, List.of(SampleDatasets.YSB_EVENTS)) > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(applicationId + " has not processed its repartition topic within 5 minutes");
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    /**
     * Produces at {@code --rate} in real time and measures, for each campaign window that closes during the run, how
     * long after its end its final result could be read.
     */
    private List<Long> latencies(Map<String, Object> clientConfig, DatasetProducer producer, OnepipeConfig config) throws Exception {
        MetadataCatalog catalog = RegisteredDatasets.load(config);
        String outputDataset = YsbSettings.from(new TopologyContext(YsbTopology.NAME, Optional.of(SampleDatasets.YSB_EVENTS),
                SampleDatasets.YSB_EVENTS, config, catalog)).outputDataset();
        String outputTopic = CampaignMetricsSettings.topicOf(catalog, outputDataset);
        Deserializer<GenericRecord> values = DatasetSerdes.generic(catalog, outputDataset).deserializer();
        long windowMillis = YsbSettings.windowSizeMillis(config);
        long start = System.currentTimeMillis() + 2_000;
        long end = start + latencySeconds * 1000L;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean reading = new AtomicBoolean(true);
        Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "onepipe-bench-latency");
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        AtomicLong results = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(outputTopic).stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                while (reading.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                        long receivedAt = System.currentTimeMillis();
                        results.incrementAndGet();
                        long windowEnd = (Long) values.deserialize(outputTopic, record.value()).get("window_end");
                        // only windows wholly inside the run, closed by the run's own events
                        if (windowEnd - windowMillis >= start && windowEnd + graceMillis + windowMillis <= end) {
                            latencies.add(receivedAt - windowEnd);
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "bench-latency-reader");
        reader.start();
        // the same seed as the throughput run: the ads and campaigns come from the seed, and only those are mapped
        YsbWorkload paced = new YsbWorkload(new YsbGenerator(YsbGeneratorConfig.builder()
                .seed(1).eventCount((long) rate * latencySeconds).startTimeMillis(start).timeSpanMillis(end - start).build()));
        ProgressLine producing = new ProgressLine(System.out, "producing in real time", (long) rate * latencySeconds);
        long sent = paced.producePaced(producer, producing::update);
        producing.finish(sent);
        TimeUnit.SECONDS.sleep(5);
        reading.set(false);
        reader.join();
        if (failure.get() != null) {
            throw new IllegalStateException("Reading the results failed: " + failure.get(), failure.get());
        }
        out.printf(Locale.ROOT, "  %,d results read during the latency run%n", results.get());
        return new ArrayList<>(latencies);
    }

    /**
     * Checks the window counts of the ysb topology and of Flink against the generator's tally; prints every difference
     * loudly and returns them, with how many views the topology routed to its late topic (a view is late only when it is
     * behind its own input partition's stream time by more than the grace, so a backlog should send none). Windows ending by
     * {@code lastEvent - grace - window} must have closed in both.
     */
    private List<String> countDifferences(Map<String, Object> clientConfig, OnepipeConfig config, SortedMap<CampaignWindow, Long> expected,
                                          FlinkYsbPeer.Throughput flink, long lastEvent, Map<String, Long> measures) {
        long windowMillis = YsbSettings.windowSizeMillis(config);
        long closedBy = lastEvent - graceMillis - windowMillis;
        MetadataCatalog catalog = RegisteredDatasets.load(config);
        String outputDataset = config.get(YsbSettings.OUTPUT_DATASET, "ysb-campaign-metrics");
        Map<CampaignWindow, Long> ysbResults = FlinkYsbPeer.topologyResults(clientConfig, catalog, outputDataset);
        List<String> ysbDifferences = FlinkYsbPeer.differences("ysb", expected, ysbResults, windowMillis, closedBy);
        String lateTopic = config.get(YsbSettings.LATE_TOPIC, "ysb-campaign-metrics-late");
        long late = FlinkYsbPeer.countRecords(clientConfig, lateTopic);
        out.printf(Locale.ROOT, "  window counts checked against the generator's tally (%,d windows, %,d views):%n", expected.size(),
                expected.values().stream().mapToLong(Long::longValue).sum());
        out.printf(Locale.ROOT, "    ysb: %,d windows, %,d views, %s; %,d views routed to its late topic %s%n", ysbResults.size(),
                ysbResults.values().stream().mapToLong(Long::longValue).sum(),
                ysbDifferences.isEmpty() ? "all equal" : ysbDifferences.size() + " DIFFER", late, lateTopic);
        ysbDifferences.stream().limit(10).forEach(difference -> out.println("    MISMATCH " + difference));
        measures.put("ysb window counts differing from the generator's tally", (long) ysbDifferences.size());
        measures.put("ysb views routed to its late topic", late);
        List<String> differences = new ArrayList<>(ysbDifferences);
        if (flink != null) {
            List<String> flinkDifferences = FlinkYsbPeer.differences("Apache Flink", expected, flink.results(), windowMillis, closedBy);
            out.printf(Locale.ROOT, "    Apache Flink: %,d windows, %,d views, %s%n", flink.results().size(),
                    flink.results().values().stream().mapToLong(Long::longValue).sum(),
                    flinkDifferences.isEmpty() ? "all equal" : flinkDifferences.size() + " DIFFER");
            flinkDifferences.stream().limit(10).forEach(difference -> out.println("    MISMATCH " + difference));
            measures.put("Apache Flink window counts differing from the generator's tally", (long) flinkDifferences.size());
            differences.addAll(flinkDifferences);
        }
        out.flush();
        return differences;
    }

    private void report(double ceiling, double streamsFloor, double topology, List<Long> latencies, FlinkYsbPeer.Throughput flink,
                        List<Long> flinkLatencies, Map<String, Long> checks) {
        BenchmarkSummary summary = new BenchmarkSummary("campaign-metrics", "events/s")
                .parameter("events", events).parameter("partitions", partitions).parameter("stream threads / Flink parallelism", threads)
                .parameter("window ms", 10_000).parameter("grace ms", graceMillis).parameter("guarantee", "exactly once").parameter("settings", settings);
        BenchmarkSummary.Line ceilingLine = summary.rate("plain KafkaConsumer (ceiling)", ceiling, events / Math.max(1e-9, ceiling), "reads only");
        BenchmarkSummary.Line streamsLine = summary.rate("Kafka Streams read and commit", streamsFloor, events / Math.max(1e-9, streamsFloor),
                "first to last commit, no processing");
        BenchmarkSummary.Line flinkLine = flink == null ? null
                : summary.rate("Apache Flink, same query", flink.eventsPerSecond(), events / Math.max(1e-9, flink.eventsPerSecond()),
                        "first to last offset commit (checkpoint)");
        BenchmarkSummary.Line ysbLine = summary.rate("ysb topology", topology, events / Math.max(1e-9, topology), "first to last commit");
        if (flinkLine != null) {
            summary.ratio("ysb / Apache Flink", ysbLine, flinkLine, 1.0);
        }
        summary.ratio("ysb / Kafka Streams read and commit", ysbLine, streamsLine, 0.5);
        summary.ratio("ysb / ceiling", ysbLine, ceilingLine, null);
        addLatency(summary, "ysb", latencies);
        if (flinkLatencies != null) {
            addLatency(summary, "Apache Flink", flinkLatencies);
        }
        summary.measure("latency target: p99 at most grace + 500 ms", graceMillis + 500, "ms");
        checks.forEach((check, value) -> summary.measure(check, value, ""));
        summary.print(out);
        if (output != null) {
            summary.writeJson(output);
            out.println("  written to " + output);
        }
        out.flush();
    }

    private void addLatency(BenchmarkSummary summary, String who, List<Long> latencies) {
        Collections.sort(latencies);
        if (latencies.isEmpty()) {
            summary.measure(who + " latency", "no window closed during the run; run longer (--latency-seconds)", "");
            return;
        }
        summary.measure(String.format(Locale.ROOT, "%s latency, window end to final result readable (%,d windows at %,d events/s), p50", who,
                latencies.size(), rate), percentile(latencies, 0.50), "ms");
        summary.measure(who + " latency p99", percentile(latencies, 0.99), "ms");
        summary.measure(who + " latency max", latencies.get(latencies.size() - 1), "ms");
    }

    private static long percentile(List<Long> sorted, double fraction) {
        int index = (int) Math.ceil(fraction * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }
}
