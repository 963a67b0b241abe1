package dev.onepipe.reconciliation;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.onepipe.core.cli.BenchmarkSummary;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.producer.SendFailures;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code onepipe bench reconcile}: the time {@code onepipe reconcile} takes to compare a topic with its raw archive,
 * next to the time plain clients take to read the same bytes once in the same run (a {@link KafkaConsumer} over the
 * topic and, at the same time, plain S3 GETs of the archive's objects). Target: at most 1.2×.
 *
 * <p>The archive is written here by its documented contract (archive-streams/README.md: one parquet-avro object per
 * partition and record-time hour, at most 250,000 records, the S3 user metadata), not by running the archive
 * topology: the benchmark measures reading, and this module does not depend on archive-streams.
 *
 * <p>Steady state, as JMH measures it: {@code --warmups} rounds of both lines warm the JIT and both servers up (the
 * first is reported as the cold first round), then {@code --passes} rounds time both lines, alternating which goes first, each pass from a
 * collected heap; the target is met when the median of the rounds' time ratios is at most 1.2.
 *
 * <p>Prints each round, then one summary table ({@link BenchmarkSummary}: the plain clients and the reconcile pass, the
 * medians of each one's two sides, the cold first round, their ratio, the CPU time, the load); {@code --output <file>}
 * also writes it as JSON.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Time of one reconcile pass (topic <-> raw archive) next to plain clients reading the same bytes; target <= 1.2.",
            "On the embedded broker and S3 endpoint, in the same run: plain clients reading the same bytes once (a "
                + "KafkaConsumer over the topic plus S3 GETs of the archive objects) and one reconcile pass, first as a warm-up "
                + "round (reported as the cold first round) and --warmups - 1 more, then --passes rounds alternating which goes first; the target "
                + "applies to the median of the rounds' time ratios. One summary table; --output <file> writes it as JSON."})
final class ReconcileBenchmarkCommand implements Callable<Integer> {

    private static final int OBJECT_RECORDS = 250_000;
    private static final Instant START = Instant.parse("2026-11-22T00:00:00Z");

    @Option(names = "--records", defaultValue = "1000000", description = "Records to produce (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--record-bytes", defaultValue = "200", description = "Value size of each record (default: ${DEFAULT-VALUE}).")
    int recordBytes;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--hours", defaultValue = "4", description = "Record-time hours the records spread over (default: ${DEFAULT-VALUE}).")
    int hours;

    @Option(names = "--warmups", defaultValue = "2", description = "Warm-up rounds before the measured ones, not counted; the first "
            + "is reported as the cold first round (default: ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--passes", defaultValue = "5", description = "Measured rounds after the warm-up rounds; each times both lines, "
            + "alternating which goes first (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--output", paramLabel = "<file>", description = "Also write the summary as JSON to this file.")
    Path output;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (passes < 1 || warmups < 1) {
            System.err.println("--passes and --warmups must be at least 1");
            return 2;
        }
        String topic = "bench-reconcile";
        out.printf(Locale.ROOT, "onepipe bench reconcile: %,d records of %,d bytes on %d partitions over %d hours%n", records, recordBytes,
                partitions, hours);
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start()) {
            Map<String, Object> kafka = new HashMap<>(runtime.clientConfig());
            try (Admin admin = Admin.create(kafka)) {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
                PartitionLeaders.await(admin, List.of(topic));
            }
            produce(kafka, topic);
            // lambdas below capture the bucket name, never the runtime: picocli reads the signatures of every method,
            // synthetic ones too, and a per-topology jar has no EmbeddedRuntime class
            String bucket = runtime.bucket();
            try (S3Client s3 = runtime.newS3Client()) {
                long objects = writeArchive(kafka, s3, bucket, topic);
                out.printf(Locale.ROOT, "  archive: %,d objects written by the documented layout%n", objects);

                double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
                // The warm-up rounds warm both lines up (JIT compilation, class loading, the broker's and S3 endpoint's
                // caches); the first is reported as the cold first round. Then the measured rounds, alternating which
                // line goes first.
                List<Pass> plain = new ArrayList<>();
                List<Pass> reconcile = new ArrayList<>();
                for (int round = 1 - warmups; round <= passes; round++) {
                    boolean plainFirst = round == 1 - warmups || Math.floorMod(round, 2) == 0;
                    if (plainFirst) {
                        plain.add(plainPass(kafka, s3, bucket, topic));
                        reconcile.add(reconcilePass(kafka, s3, bucket, topic));
                    } else {
                        reconcile.add(reconcilePass(kafka, s3, bucket, topic));
                        plain.add(plainPass(kafka, s3, bucket, topic));
                    }
                    Pass plainRound = plain.get(plain.size() - 1);
                    Pass reconcileRound = reconcile.get(reconcile.size() - 1);
                    out.printf(Locale.ROOT, "  %s: plain clients %.2f s (CPU %.1f s), reconcile %.2f s (CPU %.1f s, %,d of %,d buckets OK): "
                                    + "time ratio %.2f, CPU ratio %.2f%n", round == 1 - warmups ? "cold first round (warm-up)"
                                    : round <= 0 ? "warm-up round" : "round " + round
                                    + (plainFirst ? ", plain first" : ", reconcile first"), plainRound.seconds(), plainRound.cpuSeconds(),
                            reconcileRound.seconds(), reconcileRound.cpuSeconds(), reconcileRound.ok(), reconcileRound.buckets(),
                            reconcileRound.seconds() / plainRound.seconds(), reconcileRound.cpuSeconds() / plainRound.cpuSeconds());
                }

                // for scale only: the plain consumer with the fetch settings reconcile's topic read uses (TopicReader)
                System.gc();
                long tunedCpuStart = processCpuNanos();
                long tunedStart = System.nanoTime();
                plainRead(kafka, topic, TopicReader.FETCH_SETTINGS);
                double tunedSeconds = (System.nanoTime() - tunedStart) / 1e9;
                double tunedCpu = (processCpuNanos() - tunedCpuStart) / 1e9;
                // and with as many consumers at once as reconcile's topic read uses (TopicReader.defaultReaders)
                int readers = TopicReader.defaultReaders();
                System.gc();
                long sharedCpuStart = processCpuNanos();
                long sharedStart = System.nanoTime();
                // a thread per consumer: the common pool has one thread on two processors
                ExecutorService threads = Executors.newFixedThreadPool(readers);
                try {
                    List<CompletableFuture<Long>> shares = new ArrayList<>();
                    for (int share = 0; share < readers; share++) {
                        int index = share;
                        shares.add(CompletableFuture.supplyAsync(() -> plainRead(kafka, topic, TopicReader.FETCH_SETTINGS, index, readers), threads));
                    }
                    shares.forEach(CompletableFuture::join);
                } finally {
                    threads.shutdown();
                }
                double sharedSeconds = (System.nanoTime() - sharedStart) / 1e9;
                double sharedCpu = (processCpuNanos() - sharedCpuStart) / 1e9;

                List<Pass> plainWarm = plain.subList(warmups, plain.size());
                List<Pass> reconcileWarm = reconcile.subList(warmups, reconcile.size());
                long topicBytes = plain.get(0).topicBytes();
                long archiveBytes = plain.get(0).archiveBytes();
                long bytes = topicBytes + archiveBytes;
                BenchmarkSummary summary = new BenchmarkSummary("reconcile", "records/s")
                        .parameter("records", records).parameter("recordBytes", recordBytes).parameter("partitions", partitions)
                        .parameter("hours", hours).parameter("warmups", warmups)
                        .parameter("passes", passes);
                String median = "median of " + passes + " warm rounds: ";
                BenchmarkSummary.Line plainLine = summary.line("plain clients (reference)", records, bytes, median(plainWarm, Pass::seconds),
                        median + "KafkaConsumer over the topic + S3 GETs of the objects, at once");
                summary.line("  plain KafkaConsumer", records, topicBytes, median(plainWarm, Pass::topicSeconds), median + "topic only");
                summary.line("  plain S3 GETs", records, archiveBytes, median(plainWarm, Pass::archiveSeconds), median + "archive objects only");
                BenchmarkSummary.Line reconcileLine = summary.line("reconcile (topic <-> raw archive)", records, bytes,
                        median(reconcileWarm, Pass::seconds), median + "both read at once, fingerprints, comparison");
                summary.line("  topic read and hashed", records, topicBytes, median(reconcileWarm, Pass::topicSeconds), median + "within the pass");
                summary.line("  archive read and hashed", records, archiveBytes, median(reconcileWarm, Pass::archiveSeconds), median + "within the pass");
                summary.line("cold first round: plain clients", records, bytes, plain.get(0).seconds(), "the first pass of the process");
                summary.line("cold first round: reconcile", records, bytes, reconcile.get(0).seconds(), "right after it, cold code");
                summary.line("plain KafkaConsumer, reconcile's fetch settings", records, topicBytes, tunedSeconds,
                        String.format(Locale.ROOT, "for scale, alone, after: topic only, %.1f s CPU", tunedCpu));
                summary.line("plain KafkaConsumers, reconcile's fetch settings and consumers", records, topicBytes, sharedSeconds,
                        String.format(Locale.ROOT, "for scale, alone, after: %d consumers at once (reconcile's), topic only, %.1f s CPU",
                                readers, sharedCpu));
                // the target is a time ratio (at most 1.2x); the summary's ratios are rate ratios with a least value
                summary.ratio("reconcile / plain clients, medians (rate; 1/1.2 = time at most 1.2x)", reconcileLine, plainLine, 1 / 1.2);
                List<Double> timeRatios = new ArrayList<>();
                List<Double> cpuRatios = new ArrayList<>();
                for (int round = 0; round < passes; round++) {
                    timeRatios.add(reconcileWarm.get(round).seconds() / plainWarm.get(round).seconds());
                    cpuRatios.add(reconcileWarm.get(round).cpuSeconds() / plainWarm.get(round).cpuSeconds());
                }
                double timeRatio = median(timeRatios, Double::doubleValue);
                long ok = reconcile.stream().filter(pass -> pass.ok() == pass.buckets()).count();
                summary.measure("time ratio reconcile / plain clients, median of the rounds' ratios", String.format(Locale.ROOT,
                                "%.2f (target <= 1.20: %s)", timeRatio, timeRatio <= 1.2 ? "met" : "NOT met"), "")
                        .measure("time ratio per warm round", format(timeRatios), "")
                        .measure("time ratio of the cold first round", String.format(Locale.ROOT, "%.2f", reconcile.get(0).seconds()
                                / plain.get(0).seconds()), "")
                        .measure("CPU time of this process (clients, broker, S3 endpoint): plain clients / reconcile, medians",
                                String.format(Locale.ROOT, "%.1f s / %.1f s (median of the rounds' ratios %.2f; per round %s; cold %.1f s / %.1f s)",
                                        median(plainWarm, Pass::cpuSeconds), median(reconcileWarm, Pass::cpuSeconds),
                                        median(cpuRatios, Double::doubleValue), format(cpuRatios), plain.get(0).cpuSeconds(),
                                        reconcile.get(0).cpuSeconds()), "")
                        .measure("reconcile passes with every bucket OK", ok + " of " + reconcile.size()
                                + " (" + reconcile.get(0).buckets() + " buckets each)", "")
                        .measure("system load average (1 min) when the timed reads began", load, "")
                        .measure("system load average (1 min) at the end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), "")
                        .measure("processors", Runtime.getRuntime().availableProcessors(), "");
                summary.print(new PrintWriter(out, true));
                if (output != null) {
                    summary.writeJson(output);
                    out.println("  written to " + output);
                }
                return ok == reconcile.size() ? 0 : 1;
            }
        }
    }

    /**
     * One timed pass of a line.
     *
     * @param seconds        wall-clock time of the pass
     * @param cpuSeconds     CPU time of this process during the pass (every thread)
     * @param topicSeconds   from the start until the topic was read
     * @param archiveSeconds from the start until the archive was read
     * @param buckets        buckets compared (reconcile only)
     * @param ok             of which OK (reconcile only)
     */
    private record Pass(double seconds, double cpuSeconds, double topicSeconds, double archiveSeconds, long topicBytes, long archiveBytes,
                       long buckets, long ok) {
    }

    /** Plain clients reading the same bytes once: a consumer over the topic and, at the same time, plain GETs of every object. */
    private static Pass plainPass(Map<String, Object> kafka, S3Client s3, String bucket, String topic) {
        // each pass starts from a collected heap, so no pass pays for the previous one's garbage
        System.gc();
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        // Both plain reads at once, as reconcile reads the topic and the archive at once.
        CompletableFuture<long[]> gets = CompletableFuture.supplyAsync(() -> {
            long bytes = plainGets(s3, bucket, "raw/" + topic + "/");
            return new long[] {bytes, System.nanoTime()};
        });
        long topicBytes = plainRead(kafka, topic);
        long topicEnd = System.nanoTime();
        long[] archiveRead = gets.join();
        long end = System.nanoTime();
        return new Pass((end - start) / 1e9, (processCpuNanos() - cpuStart) / 1e9, (topicEnd - start) / 1e9, (archiveRead[1] - start) / 1e9,
                topicBytes, archiveRead[0], 0, 0);
    }

    /** One reconcile pass of the topic against its raw archive. */
    private static Pass reconcilePass(Map<String, Object> kafka, S3Client s3, String bucket, String topic) {
        System.gc();
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        TopicArchiveComparison pass = TopicArchiveComparison.run(kafka, topic, new RawArchiveReader(s3, bucket, "raw"),
                Optional.empty(), Optional.empty(), 20, null);
        long end = System.nanoTime();
        List<RawBucketVerdict> verdicts = pass.verdicts();
        long ok = verdicts.stream().filter(verdict -> verdict.status() == BucketStatus.OK).count();
        return new Pass((end - start) / 1e9, (processCpuNanos() - cpuStart) / 1e9, pass.topicNanos() / 1e9, pass.archiveNanos() / 1e9,
                0, 0, verdicts.size(), ok);
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    private static <T> double median(List<T> values, java.util.function.ToDoubleFunction<T> value) {
        double[] sorted = values.stream().mapToDouble(value).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String format(List<Double> values) {
        return values.stream().map(value -> String.format(Locale.ROOT, "%.2f", value)).collect(java.util.stream.Collectors.joining(" "));
    }

    /** CPU time of this JVM so far (every thread: the clients, the embedded broker and S3 endpoint), ns. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private void produce(Map<String, Object> kafka, String topic) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        SplittableRandom random = new SplittableRandom(42);
        long spanMs = Duration.ofHours(hours).toMillis();
        SendFailures failures = new SendFailures();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int index = 0; index < records; index++) {
                byte[] value = new byte[recordBytes];
                random.nextBytes(value);
                int partition = index % partitions;
                long timestamp = START.toEpochMilli() + (long) index * spanMs / records;
                producer.send(new ProducerRecord<>(topic, partition, timestamp, ("key-" + index).getBytes(), value), failures);
            }
            producer.flush();
        }
        failures.throwIfAny("of topic " + topic);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> kafka) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Reads the topic once with a plain consumer; the bytes of keys and values. */
    private static long plainRead(Map<String, Object> kafka, String topic) {
        return plainRead(kafka, topic, Map.of());
    }

    /** The same with some consumer settings changed. */
    private static long plainRead(Map<String, Object> kafka, String topic, Map<String, Object> settings) {
        return plainRead(kafka, topic, settings, 0, 1);
    }

    /** The same over the partitions {@code p} with {@code p % shares == share} only. */
    private static long plainRead(Map<String, Object> kafka, String topic, Map<String, Object> settings, int share, int shares) {
        long bytes = 0;
        Map<String, Object> config = new HashMap<>(kafka);
        config.putAll(settings);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).stream().filter(info -> info.partition() % shares == share)
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    bytes += record.serializedKeySize() + record.serializedValueSize();
                }
            }
        }
        return bytes;
    }

    /** GETs every object under {@code prefix} once, reading its bytes; their total. */
    private static long plainGets(S3Client s3, String bucket, String prefix) {
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        for (S3Object object : s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(prefix)).contents()) {
            try (InputStream in = s3.getObject(request -> request.bucket(bucket).key(object.key()))) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    bytes += read;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + object.key(), e);
            }
        }
        return bytes;
    }

    /** Writes the topic's records as raw archive objects: per partition and hour, chunks of at most 250,000 records. */
    private long writeArchive(Map<String, Object> kafka, S3Client s3, String bucket, String topic) throws IOException {
        Schema header = SchemaBuilder.record("KafkaHeader").namespace("onepipe.archive").fields()
                .name("key").type().stringType().noDefault()
                .name("value").type().optional().bytesType().endRecord();
        Schema row = SchemaBuilder.record("KafkaRecord").namespace("onepipe.archive").fields()
                .name("offset").type().longType().noDefault()
                .name("previous_offset").type().longType().noDefault()
                .name("timestamp").type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
                .name("timestamp_type").type().stringType().noDefault()
                .name("key").type().optional().bytesType()
                .name("value").type().optional().bytesType()
                .name("headers").type().array().items(header).noDefault()
                .endRecord();
        Map<String, List<ConsumerRecord<byte[], byte[]>>> chunks = new HashMap<>();
        Path folder = Files.createTempDirectory("onepipe-bench-reconcile-");
        long[] objects = {0};
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    String chunk = record.partition() + "/" + record.timestamp() / 3_600_000;
                    List<ConsumerRecord<byte[], byte[]>> held = chunks.computeIfAbsent(chunk, any -> new ArrayList<>());
                    held.add(record);
                    if (held.size() == OBJECT_RECORDS) {
                        upload(s3, bucket, topic, row, held, folder);
                        objects[0]++;
                        chunks.remove(chunk);
                    }
                }
            }
            for (List<ConsumerRecord<byte[], byte[]>> held : chunks.values()) {
                upload(s3, bucket, topic, row, held, folder);
                objects[0]++;
            }
        }
        return objects[0];
    }

    /** One object; its watermark is the offset after its last record (records are produced in time order per partition). */
    private static void upload(S3Client s3, String bucket, String topic, Schema row, List<ConsumerRecord<byte[], byte[]>> records,
                               Path folder) throws IOException {
        Path file = folder.resolve("chunk.parquet");
        Files.deleteIfExists(file);
        try (ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                .withSchema(row).withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
            long previous = -1;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                GenericRecord value = new GenericData.Record(row);
                value.put("offset", record.offset());
                value.put("previous_offset", previous);
                value.put("timestamp", record.timestamp());
                value.put("timestamp_type", "CreateTime");
                value.put("key", record.key() == null ? null : ByteBuffer.wrap(record.key()));
                value.put("value", record.value() == null ? null : ByteBuffer.wrap(record.value()));
                value.put("headers", List.of());
                writer.write(value);
                previous = record.offset();
            }
        }
        ConsumerRecord<byte[], byte[]> first = records.get(0);
        Instant hour = Instant.ofEpochSecond(first.timestamp() / 3_600_000 * 3600);
        String key = String.format(Locale.ROOT, "raw/%s/partition=%d/dt=%s/hour=%s/%s+%d+%020d.parquet", topic, first.partition(),
                hour.toString().substring(0, 10), hour.toString().substring(11, 13), topic, first.partition(), first.offset());
        Map<String, String> metadata = Map.of("onepipe-record-count", String.valueOf(records.size()),
                "onepipe-last-offset", String.valueOf(records.get(records.size() - 1).offset()), "onepipe-complete-below", String.valueOf(records.get(records.size() - 1).offset() + 1));
        s3.putObject(request -> request.bucket(bucket).key(key).metadata(metadata), RequestBody.fromFile(file));
        Files.delete(file);
    }
}
