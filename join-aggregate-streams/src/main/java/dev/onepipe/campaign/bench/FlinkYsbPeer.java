package dev.onepipe.campaign.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import dev.onepipe.campaign.CampaignMetricsSettings;
import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.YsbGenerator;
import dev.onepipe.testdata.YsbGeneratorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Apache Flink as the peer of the {@code ysb} topology in {@code onepipe bench campaign-metrics}: the same query
 * (views only, join to campaign, count per campaign per window, exactly once) as a Flink DataStream job, the
 * {@code bench-flink} module's shaded jar run as a child JVM against the same embedded broker and topics, with the same
 * parallelism as the topology's stream threads and a checkpoint interval equal to its commit interval.
 *
 * <p>Flink needs its own classpath (its Kafka connector's exactly-once sink needs kafka-clients 4.2.0), so it is never
 * in onepipe's jars: when the jar is missing, the benchmark prints {@link #BUILD_COMMAND} and leaves the Flink lines out.
 *
 * <p>Events per second are measured as for the topology: the Flink source commits its offsets to the group
 * {@code bench-flink-ysb} on every completed checkpoint; from the first commit seen to the commit that covers every
 * event. Results are read back (read_committed) and compared window by window with the generator's tally.
 */
final class FlinkYsbPeer {

    /** Where {@link #BUILD_COMMAND} puts the jar, relative to the repository root. */
    static final Path DEFAULT_JAR = Path.of("bench-flink", "target", "onepipe-bench-flink.jar");
    static final String BUILD_COMMAND = "./mvnw -B -ntp -Pbench -pl bench-flink package -DskipTests";
    private static final String RUNNING_MARKER = "onepipe-bench-flink: RUNNING";
    private static final Duration TIMEOUT = Duration.ofMinutes(20);

    private final Path jar;
    private final Map<String, Object> clientConfig;
    private final int parallelism;
    private final long windowMillis;
    private final long graceMillis;
    private final long checkpointMillis;
    private final int partitions;
    private final PrintWriter out;

    /**
     * Events per second of the Flink job and its results.
     *
     * @param eventsPerSecond from its first to its last offset commit
     * @param seconds         the time between those commits
     * @param results         views per campaign window, as read from its output topic
     */
    record Throughput(double eventsPerSecond, double seconds, Map<CampaignWindow, Long> results) {
    }

    FlinkYsbPeer(Path jar, Map<String, Object> clientConfig, int parallelism, long windowMillis, long graceMillis, long checkpointMillis,
                 int partitions, PrintWriter out) {
        this.jar = jar;
        this.clientConfig = Map.copyOf(clientConfig);
        this.parallelism = parallelism;
        this.windowMillis = windowMillis;
        this.graceMillis = graceMillis;
        this.checkpointMillis = checkpointMillis;
        this.partitions = partitions;
        this.out = out;
    }

    /** Whether the jar is there; if not, says how to build it. */
    boolean available() {
        if (Files.isRegularFile(jar)) {
            return true;
        }
        out.printf(Locale.ROOT, "  Apache Flink line skipped: %s not found. Build it from the repository root with%n    %s%n"
                + "  and run again (or point --flink-jar at it).%n", jar, BUILD_COMMAND);
        out.flush();
        return false;
    }

    /** Runs the job over the whole events topic (from its start) until it has committed {@code expected} events. */
    Throughput throughput(MetadataCatalog catalog, long expected) throws Exception {
        String outputTopic = "bench-flink-ysb-results";
        String group = "bench-flink-ysb";
        createTopic(outputTopic);
        try (ChildJob job = start(catalog, "earliest", group, outputTopic)) {
            ProgressLine progress = new ProgressLine(System.out, "Apache Flink ysb job", expected);
            try (Admin admin = Admin.create(clientConfig)) {
                long firstCommitted = -1;
                long firstAt = 0;
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (true) {
                    job.requireAlive();
                    long committed = 0;
                    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
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
                        double seconds = (now - firstAt) / 1e9;
                        // results and offsets are committed when the same checkpoint completes, in no set order: wait for quiet
                        Map<CampaignWindow, Long> results = readResults(clientConfig, outputTopic, FlinkYsbPeer::parseFlinkResult, Duration.ofSeconds(3));
                        return new Throughput((committed - firstCommitted) / Math.max(1e-9, seconds), seconds, results);
                    }
                    if (now > deadline) {
                        throw new IllegalStateException("The Flink job committed " + committed + " of " + expected + " events within "
                                + TIMEOUT.toMinutes() + " minutes; its log: " + job.log);
                    }
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
        }
    }

    /**
     * Starts the job at the end of the events topic, produces at {@code rate} events per second in real time for
     * {@code seconds} (the same paced workload as the topology's latency run) and returns, for every window wholly
     * inside the run, the time from its end to its result being readable (read_committed), in ms.
     */
    List<Long> latencies(MetadataCatalog catalog, DatasetProducer producer, int rate, int seconds) throws Exception {
        String outputTopic = "bench-flink-ysb-latency";
        createTopic(outputTopic);
        try (ChildJob job = start(catalog, "latest", "bench-flink-ysb-latency", outputTopic)) {
            // the source looks up the end offsets when it starts; leave it time to assign its splits
            TimeUnit.SECONDS.sleep(3);
            long start = System.currentTimeMillis() + 2_000;
            long end = start + seconds * 1000L;
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean reading = new AtomicBoolean(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = committedReader("onepipe-bench-flink-latency")) {
                    List<TopicPartition> topicPartitions = partitionsOf(consumer, outputTopic);
                    consumer.assign(topicPartitions);
                    consumer.seekToBeginning(topicPartitions);
                    while (reading.get()) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                            long receivedAt = System.currentTimeMillis();
                            String[] fields = new String(record.value(), StandardCharsets.UTF_8).split(",");
                            long windowEnd = Long.parseLong(fields[2]);
                            // the rule of the topology's latency run: windows wholly inside the run, closed by its own events
                            if (windowEnd - windowMillis >= start && windowEnd + graceMillis + windowMillis <= end) {
                                latencies.add(receivedAt - windowEnd);
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    failure.set(e);
                }
            }, "bench-flink-latency-reader");
            reader.start();
            YsbWorkload paced = new YsbWorkload(new YsbGenerator(YsbGeneratorConfig.builder()
                    .seed(1).eventCount((long) rate * seconds).startTimeMillis(start).timeSpanMillis(end - start).build()));
            ProgressLine producing = new ProgressLine(System.out, "producing in real time for Apache Flink", (long) rate * seconds);
            long sent = paced.producePaced(producer, producing::update);
            producing.finish(sent);
            TimeUnit.SECONDS.sleep(5);
            reading.set(false);
            reader.join();
            job.requireAlive();
            if (failure.get() != null) {
                throw new IllegalStateException("Reading the Flink job's results failed: " + failure.get(), failure.get());
            }
            return new ArrayList<>(latencies);
        }
    }

    /**
     * Compares results with the expected views per window: every result must equal its window's expected count, and
     * every expected window that ends ({@code start + windowMillis}) at or before {@code closedBy} (epoch ms) must have
     * a result. Windows ending later may or may not have closed when the input ended, depending on each engine's
     * stream time (Kafka Streams) or watermark (Flink), so their absence is not a difference.
     *
     * @return one line per difference, empty when they agree
     */
    static List<String> differences(String who, SortedMap<CampaignWindow, Long> expected, Map<CampaignWindow, Long> results,
                                    long windowMillis, long closedBy) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<CampaignWindow, Long> result : new TreeMap<>(results).entrySet()) {
            Long want = expected.get(result.getKey());
            if (!result.getValue().equals(want)) {
                differences.add(String.format(Locale.ROOT, "%s: campaign %s window %d has %d views, the generator made %s", who,
                        result.getKey().campaignId(), result.getKey().windowStartMillis(), result.getValue(), want == null ? "none" : want));
            }
        }
        for (Map.Entry<CampaignWindow, Long> want : expected.entrySet()) {
            if (!results.containsKey(want.getKey()) && want.getKey().windowStartMillis() + windowMillis <= closedBy) {
                differences.add(String.format(Locale.ROOT, "%s: campaign %s window %d (%d views) has no result", who,
                        want.getKey().campaignId(), want.getKey().windowStartMillis(), want.getValue()));
            }
        }
        return differences;
    }

    /**
     * Reads a results topic from its start with read_committed until it has reached the end and nothing new came for
     * {@code quiet}; the last result of each window wins.
     */
    static Map<CampaignWindow, Long> readResults(Map<String, Object> clientConfig, String topic,
                                                 Function<byte[], Map.Entry<CampaignWindow, Long>> decode, Duration quiet) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<CampaignWindow, Long> results = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> topicPartitions = partitionsOf(consumer, topic);
            consumer.assign(topicPartitions);
            consumer.seekToBeginning(topicPartitions);
            long lastReceived = System.nanoTime();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Map.Entry<CampaignWindow, Long> result = decode.apply(record.value());
                    results.put(result.getKey(), result.getValue());
                }
                if (!records.isEmpty()) {
                    lastReceived = System.nanoTime();
                    continue;
                }
                Map<TopicPartition, Long> end = consumer.endOffsets(topicPartitions);
                boolean atEnd = topicPartitions.stream().allMatch(partition -> consumer.position(partition) >= end.get(partition));
                if (atEnd && System.nanoTime() - lastReceived >= quiet.toNanos()) {
                    return results;
                }
            }
        }
        throw new IllegalStateException("Could not read " + topic + " to its end within " + TIMEOUT.toMinutes() + " minutes");
    }

    /** The {@code ysb} topology's results so far: its output dataset read back with read_committed. */
    static Map<CampaignWindow, Long> topologyResults(Map<String, Object> clientConfig, MetadataCatalog catalog, String outputDataset) {
        String topic = CampaignMetricsSettings.topicOf(catalog, outputDataset);
        Deserializer<GenericRecord> values = DatasetSerdes.generic(catalog, outputDataset).deserializer();
        return readResults(clientConfig, topic, value -> {
            GenericRecord result = values.deserialize(topic, value);
            return Map.entry(new CampaignWindow(result.get("campaign_id").toString(), (Long) result.get("window_start")), (Long) result.get("views"));
        }, Duration.ofSeconds(1));
    }

    /** The records on {@code topic} (read_committed, from its start to its end). */
    static long countRecords(Map<String, Object> clientConfig, String topic) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> topicPartitions = partitionsOf(consumer, topic);
            consumer.assign(topicPartitions);
            consumer.seekToBeginning(topicPartitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(topicPartitions);
            long count = 0;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (topicPartitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end within " + TIMEOUT.toMinutes() + " minutes");
                }
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    private static Map.Entry<CampaignWindow, Long> parseFlinkResult(byte[] value) {
        String[] fields = new String(value, StandardCharsets.UTF_8).split(",");
        return Map.entry(new CampaignWindow(fields[0], Long.parseLong(fields[1])), Long.parseLong(fields[3]));
    }

    private ChildJob start(MetadataCatalog catalog, String startAt, String group, String outputTopic) throws IOException, InterruptedException {
        SchemaVersion events = catalog.latestSchemaForDataset(SampleDatasets.YSB_EVENTS)
                .orElseThrow(() -> new IllegalStateException(SampleDatasets.YSB_EVENTS + " is not registered"));
        SchemaVersion campaigns = catalog.latestSchemaForDataset(SampleDatasets.YSB_CAMPAIGNS)
                .orElseThrow(() -> new IllegalStateException(SampleDatasets.YSB_CAMPAIGNS + " is not registered"));
        Path eventsSchema = Files.createTempFile("onepipe-bench-flink-events-", ".avsc");
        Path campaignsSchema = Files.createTempFile("onepipe-bench-flink-campaigns-", ".avsc");
        Files.writeString(eventsSchema, events.schemaJson());
        Files.writeString(campaignsSchema, campaigns.schemaJson());
        Path log = Files.createTempFile("onepipe-bench-flink-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                // Flink registers some metrics twice under one name and warns each time
                "-Dorg.slf4j.simpleLogger.log.org.apache.flink.metrics=error",
                "-Dorg.slf4j.simpleLogger.log.org.apache.flink.runtime.metrics=error",
                "-jar", jar.toString(),
                "--bootstrap-servers", String.valueOf(clientConfig.get("bootstrap.servers")),
                "--events-topic", SampleDatasets.YSB_EVENTS,
                "--campaigns-topic", CampaignMetricsSettings.topicOf(catalog, SampleDatasets.YSB_CAMPAIGNS),
                "--output-topic", outputTopic,
                "--events-schema", eventsSchema.toString(), "--events-schema-id", Integer.toString(events.id()),
                "--campaigns-schema", campaignsSchema.toString(), "--campaigns-schema-id", Integer.toString(campaigns.id()),
                "--group-id", group,
                "--parallelism", Integer.toString(parallelism),
                "--window-ms", Long.toString(windowMillis),
                "--grace-ms", Long.toString(graceMillis),
                "--checkpoint-ms", Long.toString(checkpointMillis),
                "--start", startAt));
        out.printf(Locale.ROOT, "  Apache Flink: starting %s (parallelism %d, checkpoints every %d ms, exactly once); log %s%n",
                jar, parallelism, checkpointMillis, log);
        out.flush();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ChildJob job = new ChildJob(process, log, List.of(eventsSchema, campaignsSchema, log));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.readString(log).contains(RUNNING_MARKER)) {
            job.requireAlive();
            if (System.nanoTime() > deadline) {
                job.close();
                throw new IllegalStateException("The Flink job did not start within 3 minutes; its log: " + log);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return job;
    }

    private void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(clientConfig)) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get(60, TimeUnit.SECONDS);
            PartitionLeaders.await(admin, List.of(topic));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> committedReader(String group) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    }

    /** The child JVM; closing it stops the job (the MiniCluster has nothing to save) and deletes its temp files. */
    private record ChildJob(Process process, Path log, List<Path> files) implements AutoCloseable {

        void requireAlive() throws IOException {
            if (!process.isAlive()) {
                throw new IllegalStateException("The Flink job exited with code " + process.exitValue() + ". Its log (" + log + "):"
                        + System.lineSeparator() + tail(Files.readString(log)));
            }
        }

        private static String tail(String text) {
            return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            for (Path file : files) {
                if (!file.equals(log) || process.exitValue() == 143 || process.exitValue() == 0) {
                    file.toFile().delete();
                }
            }
        }
    }
}
