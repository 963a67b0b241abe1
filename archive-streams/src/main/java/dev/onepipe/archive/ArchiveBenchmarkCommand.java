package dev.onepipe.archive;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.BenchmarkSummary;
import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.ReadAndCommitTopology;
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.producer.SendFailures;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * {@code onepipe bench archive}: the archive's throughput on the embedded broker and S3 endpoint, next to the
 * throughput of a plain {@link KafkaConsumer} reading the same topic in the same run (the ceiling: the archive
 * cannot read faster than a consumer that does nothing with the records), and of a {@link PlainS3Copier} (the
 * reference: what a team writes instead, consumers writing the same Parquet chunks to the same endpoint and committing
 * after each upload, at-least-once). Prints one summary table; {@code --output} writes it as JSON
 * ({@link BenchmarkSummary}).
 */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = {"Archive throughput (records/s, MB/s) next to a plain S3 copier, on the embedded broker and S3 endpoint.",
            "Fixed-size records; the copier (consumers writing the same Parquet chunks, committing after each upload) and "
                + "a plain KafkaConsumer reading the same topic are measured in the same run. Target: archive >= 0.8 x the copier. "
                + "Also the peak heap. One summary table; --output <file> writes it as JSON."})
public final class ArchiveBenchmarkCommand implements Callable<Integer> {

    private static final Duration TIMEOUT = Duration.ofMinutes(20);

    @Option(names = "--records", defaultValue = "300000", description = "Records to produce (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--record-bytes", defaultValue = "1024", description = "Value size of each record (default: ${DEFAULT-VALUE}).")
    int recordBytes;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = {"-s", "--set"}, paramLabel = "<key=value>", description = "An archive or Kafka Streams setting, e.g. --set num.stream.threads=2. Repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--copier-consumers", description = "Consumers of the plain S3 copier (default: the archive's num.stream.threads).")
    Integer copierConsumers;

    @Option(names = "--output", paramLabel = "<file>", description = "Also write the summary as JSON to this file.")
    Path output;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        String topic = "bench-archive";
        Path stateRoot = Files.createTempDirectory("onepipe-bench-archive-");
        out.printf(Locale.ROOT, "onepipe bench archive: %,d records of %,d bytes on %d partitions%s%n", records, recordBytes, partitions,
                overrides.isEmpty() ? "" : ", with " + overrides);
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start();
             Admin admin = Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(topic, partitions, (short) 1))).all().get();
            PartitionLeaders.await(admin, List.of(topic));
            long producing = System.nanoTime();
            long bytes = produce(runtime.bootstrapServers(), topic);
            Result producer = new Result(records, bytes, Duration.ofNanos(System.nanoTime() - producing));

            Duration ceiling = readWithPlainConsumer(runtime.bootstrapServers(), topic);
            Result consumer = new Result(records, bytes, ceiling);
            Result s3Writes;
            try (S3Client s3 = S3ClientFactory.create(runtime.s3Settings())) {
                s3Writes = new Result(records, bytes, writeToS3(s3, runtime.bucket(), bytes));
            }

            Map<String, String> settings = new LinkedHashMap<>(runtime.clientConfig());
            settings.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
            // The open tail of each partition goes up after a second instead of a minute, so "all in S3" comes soon after the last record.
            settings.put(ArchiveSettings.IDLE_FLUSH_MS, "1000");
            settings.putAll(overrides);
            Result passThrough = new Result(records, bytes, passThrough(admin, topic, settings));
            CopierResult copier = copyWithPlainConsumers(runtime.clientConfig(), runtime.s3Settings(), runtime.bucket(), topic, settings, bytes);

            resetPeakHeap();
            ArchiveTopology archive = new ArchiveTopology();
            OnepipeConfig config = TopologyRunner.configure(archive, Map.of(), Map.of(), settings);
            TopologyContext context = new TopologyContext(archive.name(), Optional.empty(), topic, config);
            Duration committedTime;
            Duration archiveTime;
            long objects;
            try (TopologyRunner runner = TopologyRunner.start(archive, context);
                 S3Client s3 = S3ClientFactory.create(runtime.s3Settings())) {
                if (!runner.awaitRunning(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("The archive did not start within 2 minutes");
                }
                long started = System.nanoTime();
                awaitCommitted(admin, context.applicationId(), topic, "archiving " + topic);
                committedTime = Duration.ofNanos(System.nanoTime() - started);
                objects = awaitAllInS3(s3, runtime.bucket(), new ArchiveLayout("raw").topicPrefix(topic));
                archiveTime = Duration.ofNanos(System.nanoTime() - started);
            }
            long peakHeap = peakHeap();
            Result archived = new Result(records, bytes, archiveTime);
            BenchmarkSummary summary = new BenchmarkSummary("archive", "records/s")
                    .parameter("records", records).parameter("record bytes", recordBytes).parameter("partitions", partitions)
                    .parameter("settings", overrides);
            BenchmarkSummary.Line ceilingLine = summary.line("plain KafkaConsumer (ceiling)", records, bytes, consumer.seconds(), "reads only");
            summary.line("plain KafkaProducer", records, bytes, producer.seconds(), "for scale: producing them");
            summary.line("S3 PUT, 8 MiB parts", records, bytes, s3Writes.seconds(), "for scale: the same bytes, random");
            BenchmarkSummary.Line passLine = summary.line("Kafka Streams read and commit", records, bytes, passThrough.seconds(),
                    StreamsConfig.EXACTLY_ONCE_V2 + ", same settings");
            BenchmarkSummary.Line copierLine = summary.line("plain S3 copier (reference)", records, bytes, copier.result().seconds(),
                    String.format(Locale.ROOT, "%d consumers, %,d objects, at-least-once", copier.consumers(), copier.objects()));
            BenchmarkSummary.Line archiveLine = summary.line("archive", records, bytes, archived.seconds(),
                    String.format(Locale.ROOT, "%,d objects; offsets committed after %.1f s", objects, committedTime.toNanos() / 1e9));
            summary.ratio("archive / plain S3 copier", archiveLine, copierLine, 0.8);
            summary.ratio("archive / ceiling", archiveLine, ceilingLine, null);
            summary.ratio("Kafka Streams read and commit / ceiling", passLine, ceilingLine, null);
            summary.measure("peak heap while archiving (whole JVM: broker, S3 endpoint and archive)", peakHeap / (1024 * 1024), "MB")
                    .measure("max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024), "MB");
            summary.print(new PrintWriter(out, true));
            if (output != null) {
                summary.writeJson(output);
                out.println("  written to " + output);
            }
        } finally {
            deleteQuietly(stateRoot);
        }
        return 0;
    }

    private record Result(long records, long bytes, Duration duration) {
        double recordsPerSecond() {
            return records / seconds();
        }

        double seconds() {
            return Math.max(1e-9, duration.toNanos() / 1e9);
        }

        @Override
        public String toString() {
            double seconds = Math.max(1e-9, duration.toNanos() / 1e9);
            return String.format(Locale.ROOT, "%,.0f records/s, %,.1f MB/s (%,d records in %.1f s)", records / seconds, bytes / 1e6 / seconds, records, seconds);
        }
    }

    private long produce(String bootstrapServers, String topic) {
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        ProgressLine progress = new ProgressLine(out, "producing " + topic, records);
        long bytes = 0;
        SendFailures failures = new SendFailures();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int index = 0; index < records; index++) {
                byte[] key = new byte[16];
                byte[] value = new byte[recordBytes];
                random.nextBytes(key);
                random.nextBytes(value);
                producer.send(new ProducerRecord<>(topic, index % partitions, key, value), failures);
                bytes += key.length + value.length;
                progress.update(index + 1);
            }
        }
        failures.throwIfAny("of topic " + topic);
        progress.finish(records);
        return bytes;
    }

    private Duration readWithPlainConsumer(String bootstrapServers, String topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        ProgressLine progress = new ProgressLine(out, "plain consumer reading " + topic, records);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> topicPartitions = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                topicPartitions.add(new TopicPartition(topic, partition));
            }
            long started = System.nanoTime();
            consumer.assign(topicPartitions);
            consumer.seekToBeginning(topicPartitions);
            long read = 0;
            long deadline = started + TIMEOUT.toNanos();
            while (read < records && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                read += batch.count();
                progress.update(read);
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - started);
            progress.finish(read);
            return duration;
        }
    }

    /**
     * Runs a Kafka Streams application that reads the topic with the archive's settings (exactly once, commit
     * interval, transaction timeout) and does nothing with the records; returns the time from RUNNING until
     * every offset is committed: what Kafka Streams itself costs on this machine.
     */
    private Duration passThrough(Admin admin, String topic, Map<String, String> settings) throws Exception {
        ReadAndCommitTopology passThrough = new ReadAndCommitTopology("bench-pass-through", ArchiveSettings.SETTINGS);
        OnepipeConfig config = TopologyRunner.configure(passThrough, Map.of(), Map.of(), settings);
        TopologyContext context = new TopologyContext(passThrough.name(), Optional.empty(), topic, config);
        try (TopologyRunner runner = TopologyRunner.start(passThrough, context)) {
            if (!runner.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException("The pass-through application did not start within 2 minutes");
            }
            long started = System.nanoTime();
            awaitCommitted(admin, context.applicationId(), topic, "Kafka Streams pass-through reading " + topic);
            return Duration.ofNanos(System.nanoTime() - started);
        }
    }

    private record CopierResult(Result result, int consumers, long objects) {
    }

    /**
     * Runs the {@link PlainS3Copier} with the archive's chunk limits and idle flush from {@code settings}; returns the
     * time from its start until every record is in S3 (its own count, then confirmed by listing the objects' record
     * counts, as for the archive).
     */
    private CopierResult copyWithPlainConsumers(Map<String, String> clientConfig, S3Settings s3Settings, String bucket, String topic,
                                                Map<String, String> settings, long bytes) throws Exception {
        OnepipeConfig config = TopologyRunner.configure(new ArchiveTopology(), Map.of(), Map.of(), settings);
        ArchiveSettings limits = ArchiveSettings.from(config);
        int consumers = copierConsumers != null ? copierConsumers : config.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        out.printf(Locale.ROOT, "plain S3 copier: %d consumers, chunks of up to %,d records or %,d bytes%n", consumers, limits.chunkMaxRecords(),
                limits.chunkMaxBytes());
        try (S3Client s3 = S3ClientFactory.create(s3Settings);
             PlainS3Copier copier = new PlainS3Copier(clientConfig, s3, bucket, "bench-copier", topic, partitions, consumers,
                     limits.chunkMaxRecords(), limits.chunkMaxBytes(), limits.idleFlushMillis())) {
            long started = System.nanoTime();
            copier.start("bench-plain-s3-copier");
            copier.awaitUploaded(records, TIMEOUT);
            awaitAllInS3(s3, bucket, copier.topicPrefix());
            return new CopierResult(new Result(records, bytes, Duration.ofNanos(System.nanoTime() - started)), Math.min(consumers, partitions),
                    copier.uploadedObjects());
        }
    }

    private void awaitCommitted(Admin admin, String group, String topic, String label) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new LinkedHashMap<>();
        admin.listOffsets(latest).all().get().forEach((partition, info) -> end.put(partition, info.offset()));
        ProgressLine progress = new ProgressLine(out, label, records);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            long done = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            progress.update(Math.min(records, done));
            if (end.entrySet().stream().allMatch(entry -> committed.containsKey(entry.getKey())
                    && committed.get(entry.getKey()).offset() >= entry.getValue())) {
                progress.finish(records);
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(group + " did not commit every record within " + TIMEOUT.toMinutes() + " minutes");
    }

    /** Uploads {@code bytes} random bytes in 8 MiB multipart parts, the way the archive does; returns the time taken. */
    private static Duration writeToS3(S3Client s3, String bucket, long bytes) {
        byte[] part = new byte[ChunkUploader.PART_BYTES];
        new SplittableRandom(7).nextBytes(part);
        long started = System.nanoTime();
        long written = 0;
        for (int object = 0; written < bytes; object++) {
            MultipartUploadStream stream = new MultipartUploadStream(s3, bucket, "bench-s3-ceiling/object-" + object, Map.of(), ChunkUploader.PART_BYTES);
            for (int parts = 0; parts < 8 && written < bytes; parts++) {
                int length = (int) Math.min(part.length, bytes - written);
                stream.write(part, 0, length);
                written += length;
            }
            stream.close();
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Waits until the objects' record counts add up to every record; returns the object count. */
    private long awaitAllInS3(S3Client s3, String bucket, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long archived = 0;
            long objects = 0;
            for (var object : s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(prefix)).contents()) {
                try {
                    String count = s3.headObject(request -> request.bucket(bucket).key(object.key())).metadata().get(ArchiveProcessor.RECORD_COUNT_METADATA);
                    if (count == null) {
                        // Listed while being written or replaced, before its metadata: count it on the next round.
                        archived = Long.MIN_VALUE;
                        continue;
                    }
                    archived += Long.parseLong(count);
                    objects++;
                } catch (NoSuchKeyException e) {
                    // Listed while being replaced (an idle-flushed chunk closing): count it on the next round.
                    archived = Long.MIN_VALUE;
                }
            }
            if (archived >= records) {
                return objects;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("The archive did not put every record in S3 within " + TIMEOUT.toMinutes() + " minutes");
    }

    private static void resetPeakHeap() {
        ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP).forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }

    private static void deleteQuietly(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
