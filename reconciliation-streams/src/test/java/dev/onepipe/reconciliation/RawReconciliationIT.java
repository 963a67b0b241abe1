package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

import dev.onepipe.archive.ArchiveTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code onepipe reconcile} and {@code onepipe status} against the real archive topology on the embedded broker and
 * S3 endpoint, with faults injected through plain S3 and parquet-avro: a healthy archive is OK in every bucket; a
 * deleted object is exactly its partition and hour MISSING with its offsets; a record written twice into an object is
 * EXTRA at its offset; the archive stopped while records keep arriving is STOP in {@code onepipe status}, and OK again
 * once it runs and catches up.
 */
class RawReconciliationIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 2;
    private static final Instant DAY = Instant.parse("2026-11-22T00:00:00Z");
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path temporary;

    @Test
    void reconcilesTheTopicWithItsRawArchiveAndNamesWhatDiffers() throws Exception {
        String dataset = RUNTIME.uniqueName("gadgets");
        register(dataset);
        RUNTIME.createTopic(dataset, PARTITIONS);
        // The generator's own tally: which (partition, hour) buckets it wrote to.
        Set<String> buckets = new TreeSet<>();
        long[] offsets = new long[PARTITIONS];
        produce(dataset, 0, 3 * 60, buckets, offsets);

        TopologyRunner archive = startArchive(dataset);
        try {
            StringWriter healthy = awaitReconcile(dataset, code -> code == 0, "--require-archived", "--all");
            assertEquals(buckets.size(), countLines(healthy.toString(), " OK "), healthy.toString());
            assertTrue(healthy.toString().contains(String.format("%,d buckets: %,d OK", buckets.size(), buckets.size())), healthy.toString());

            StringWriter status = new StringWriter();
            assertEquals(0, awaitStatus(status, code -> code == 0), status.toString());
            assertTrue(lineOf(status.toString(), archiveGroup(dataset)).contains(" OK "), status.toString());
        } finally {
            archive.close();
        }

        // Records keep arriving while the archive is stopped: no commits, lag. STALL while the broker still lists the
        // stopped member (Kafka Streams does not leave the group on close; it goes at the session timeout), then STOP.
        produce(dataset, 3 * 60, 3 * 60 + 30, buckets, offsets);
        StringWriter stopped = new StringWriter();
        assertEquals(StatusCommand.ERROR, run(stopped, "status", "--samples", "3", "--interval", "1"), stopped.toString());
        String stoppedLine = lineOf(stopped.toString(), archiveGroup(dataset));
        assertTrue(stoppedLine.contains(" STOP ") || stoppedLine.contains(" STALL "), stopped.toString());
        StringWriter pending = new StringWriter();
        assertEquals(ReconcileCommand.NOT_YET_ARCHIVED, run(pending, "reconcile", "--topic", dataset, "--require-archived"), pending.toString());
        assertTrue(pending.toString().contains("NOT YET ARCHIVED"), pending.toString());

        archive = startArchive(dataset);
        try {
            awaitReconcile(dataset, code -> code == 0, "--require-archived");
            StringWriter status = new StringWriter();
            assertEquals(0, awaitStatus(status, code -> code == 0), status.toString());
            assertTrue(lineOf(status.toString(), archiveGroup(dataset)).contains(" OK "), status.toString());
        } finally {
            archive.close();
        }
        StringWriter byDataset = new StringWriter();
        assertEquals(0, run(byDataset, "reconcile", "--dataset", dataset, "--require-archived"), byDataset.toString());

        try (S3Client s3 = RUNTIME.newS3Client()) {
            // One object deleted: exactly its partition and hour MISSING, with its offsets.
            List<S3Object> objects = new ArrayList<>();
            s3.listObjectsV2Paginator(request -> request.bucket(RUNTIME.bucket()).prefix("raw/" + dataset + "/partition=0/")).contents()
                    .forEach(objects::add);
            assertTrue(objects.size() >= 3, "expected several objects, found " + objects.size());
            S3Object deleted = objects.get(0);
            Path original = temporary.resolve("deleted.parquet");
            GetObjectResponse deletedResponse = s3.getObject(request -> request.bucket(RUNTIME.bucket()).key(deleted.key()), original);
            List<GenericRecord> deletedRows = ArchiveObjectRows.read(original);
            long first = (Long) deletedRows.get(0).get("offset");
            long last = (Long) deletedRows.get(deletedRows.size() - 1).get("offset");
            assertEquals(deletedRows.size() - 1, last - first, "one object of one hour holds consecutive offsets here (no late records)");
            s3.deleteObject(request -> request.bucket(RUNTIME.bucket()).key(deleted.key()));

            StringWriter missing = new StringWriter();
            assertEquals(ReconcileCommand.DIFFERENCES, run(missing, "reconcile", "--topic", dataset, "--limit", "100000"), missing.toString());
            String hour = hourOf(deleted.key());
            List<String> notOk = notOkLines(missing.toString());
            assertEquals(1, notOk.size(), missing.toString());
            assertTrue(notOk.get(0).matches("\\s+0\\s+" + hour + "\\s+MISSING\\s.*"), missing.toString());
            assertTrue(notOk.get(0).contains("missing offsets " + first + "-" + last), missing.toString());
            putBack(s3, deleted.key(), original, deletedResponse.metadata());
            StringWriter restored = new StringWriter();
            assertEquals(0, run(restored, "reconcile", "--topic", dataset), restored.toString());

            // One record written twice into an object: EXTRA at its offset.
            List<S3Object> partitionOne = new ArrayList<>();
            s3.listObjectsV2Paginator(request -> request.bucket(RUNTIME.bucket()).prefix("raw/" + dataset + "/partition=1/")).contents()
                    .forEach(partitionOne::add);
            S3Object tampered = partitionOne.get(partitionOne.size() / 2);
            Path copy = temporary.resolve("tampered.parquet");
            GetObjectResponse tamperedResponse = s3.getObject(request -> request.bucket(RUNTIME.bucket()).key(tampered.key()), copy);
            List<GenericRecord> rows = ArchiveObjectRows.read(copy);
            GenericRecord twice = rows.get(rows.size() / 3);
            List<GenericRecord> withDuplicate = new ArrayList<>(rows);
            withDuplicate.add(rows.size() / 3 + 1, twice);
            Path rewritten = temporary.resolve("rewritten.parquet");
            ArchiveObjectRows.write(rewritten, twice.getSchema(), withDuplicate);
            putBack(s3, tampered.key(), rewritten, tamperedResponse.metadata());

            StringWriter extra = new StringWriter();
            assertEquals(ReconcileCommand.DIFFERENCES, run(extra, "reconcile", "--topic", dataset), extra.toString());
            List<String> extraLines = notOkLines(extra.toString());
            assertEquals(1, extraLines.size(), extra.toString());
            assertTrue(extraLines.get(0).matches("\\s+1\\s+" + hourOf(tampered.key()) + "\\s+EXTRA\\s.*"), extra.toString());
            assertTrue(extraLines.get(0).contains("extra at offsets " + twice.get("offset") + " (1 extra record)"), extra.toString());
        }
    }

    /**
     * The topic read with one consumer or with several, each on a share of the partitions (one of them empty), gives
     * the same buckets as the producer's own tally: every record sent, at the offset its send was acknowledged with,
     * hashed from the bytes sent.
     */
    @Test
    void severalConsumersReadTheSameBucketsAsTheProducerSent() throws Exception {
        String topic = RUNTIME.uniqueName("shared-read");
        RUNTIME.createTopic(topic, 5);
        RawRecords sent = new RawRecords();
        Map<String, Object> config = Map.of("bootstrap.servers", RUNTIME.bootstrapServers(), "enable.idempotence", true, "acks", "all");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int index = 0; index < 2_000; index++) {
                // partition 4 gets nothing: a share may hold an empty partition
                int partition = index % 4;
                long timestamp = DAY.plus(Duration.ofSeconds(7L * index)).toEpochMilli();
                byte[] key = index % 9 == 0 ? null : ("key-" + index).getBytes(StandardCharsets.UTF_8);
                byte[] value = index % 13 == 0 ? null : ("value " + index).repeat(1 + index % 5).getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, timestamp, key, value);
                if (index % 3 == 0) {
                    record.headers().add(new RecordHeader("trace", ("t" + index).getBytes(StandardCharsets.UTF_8)));
                }
                records.add(record);
                sends.add(producer.send(record));
            }
            for (int index = 0; index < records.size(); index++) {
                ProducerRecord<byte[], byte[]> record = records.get(index);
                sent.add(record.partition(), sends.get(index).get().offset(), record.timestamp(), record.key(), record.value(), record.headers());
            }
        }
        Map<RawBucket, OffsetHashes> expected = sent.buckets();
        for (int readers : new int[] {1, 2, 3, 8}) {
            RawRecords read = new RawRecords();
            TopicReader.Range range = TopicReader.read(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()), topic, read, null, readers);
            assertEquals(2_000, range.offsets(), "readers: " + readers);
            assertEquals(expected.keySet(), read.buckets().keySet(), "readers: " + readers);
            expected.forEach((bucket, hashes) -> assertEquals(hashes.all(), read.buckets().get(bucket).all(), "readers: " + readers + ", " + bucket));
        }
    }

    /** Records every {@code 1} minute of {@code DAY} from minute {@code fromMinute} to {@code toMinute}, 10 per minute per partition. */
    private static void produce(String topic, int fromMinute, int toMinute, Set<String> buckets, long[] offsets) {
        Map<String, Object> config = Map.of("bootstrap.servers", RUNTIME.bootstrapServers(), "enable.idempotence", true, "acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int minute = fromMinute; minute < toMinute; minute++) {
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    for (int index = 0; index < 10; index++) {
                        long timestamp = DAY.plus(Duration.ofMinutes(minute)).plusSeconds(index).toEpochMilli();
                        byte[] key = index == 3 ? null : ("key-" + minute + "-" + index).getBytes(StandardCharsets.UTF_8);
                        byte[] value = index == 5 ? null : ("value " + minute + " " + index + " " + partition).getBytes(StandardCharsets.UTF_8);
                        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, timestamp, key, value);
                        if (index % 4 == 0) {
                            record.headers().add(new RecordHeader("trace", ("t" + index).getBytes(StandardCharsets.UTF_8)));
                            record.headers().add(new RecordHeader("trace", null));
                        }
                        producer.send(record);
                        buckets.add(partition + "/" + (timestamp / 3_600_000));
                        offsets[partition]++;
                    }
                }
            }
            producer.flush();
        }
    }

    private static void register(String dataset) {
        String json = SampleDatasets.metadataJson(SampleDatasets.WIDGETS).replace("\"widgets", "\"" + dataset);
        try (MetadataRegistry registry = MetadataRegistry.connect(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            registry.registerAll(List.of(RegistrationRequest.dataset(DatasetMetadata.fromJson(json), SampleDatasets.schema(SampleDatasets.WIDGETS))))
                    .forEach(result -> assertTrue(result.accepted(), result.summary()));
        }
    }

    private TopologyRunner startArchive(String topic) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(OnepipeConfig.BOOTSTRAP_SERVERS, RUNTIME.bootstrapServers());
        settings.putAll(RUNTIME.s3Settings().toConfig());
        settings.put(TopologyRunner.STATE_ROOT, temporary.resolve("archive-state").toString());
        settings.put("onepipe.archive.chunk.max.records", "400");
        settings.put("onepipe.archive.idle.flush.ms", "1000");
        settings.put("consumer.session.timeout.ms", "6000");
        settings.put("consumer.heartbeat.interval.ms", "1500");
        ArchiveTopology topology = new ArchiveTopology();
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), settings);
        return TopologyRunner.start(topology, new TopologyContext(topology.name(), Optional.empty(), topic, config));
    }

    private static String archiveGroup(String topic) {
        return TopologyContext.APPLICATION_ID_PREFIX + ArchiveTopology.NAME + "-" + topic;
    }

    /** Runs {@code onepipe reconcile --topic} until its exit code satisfies {@code done} or the patience runs out. */
    private static StringWriter awaitReconcile(String topic, IntPredicate done, String... more) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            StringWriter out = new StringWriter();
            List<String> arguments = new ArrayList<>(List.of("reconcile", "--topic", topic));
            arguments.addAll(List.of(more));
            int code = run(out, arguments.toArray(String[]::new));
            if (done.test(code)) {
                return out;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("reconcile did not get there (exit code " + code + "):\n" + out);
            }
            Thread.sleep(2000);
        }
    }

    private static int awaitStatus(StringWriter last, IntPredicate done) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            StringWriter out = new StringWriter();
            int code = run(out, "status", "--samples", "3", "--interval", "1");
            if (done.test(code) || System.nanoTime() > deadline) {
                last.write(out.toString());
                return code;
            }
        }
    }

    private static int run(StringWriter out, String... arguments) {
        S3Settings s3 = RUNTIME.s3Settings();
        List<String> command = new ArrayList<>(List.of(arguments));
        command.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers(), "--s3-endpoint", s3.endpoint().orElseThrow().toString(),
                "--s3-bucket", s3.bucket(), "--set", "onepipe.s3.access.key=" + s3.accessKey().orElseThrow(),
                "--set", "onepipe.s3.secret.key=" + s3.secretKey().orElseThrow()));
        picocli.CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        return commandLine.execute(command.toArray(String[]::new));
    }

    private static void putBack(S3Client s3, String key, Path file, Map<String, String> metadata) throws IOException {
        s3.putObject(request -> request.bucket(RUNTIME.bucket()).key(key).metadata(new HashMap<>(metadata)), RequestBody.fromBytes(Files.readAllBytes(file)));
    }

    /** {@code 2026-11-22T07h} for {@code raw/<topic>/partition=0/dt=2026-11-22/hour=07/...}. */
    private static String hourOf(String key) {
        String date = key.replaceAll(".*/dt=([0-9-]+)/.*", "$1");
        String hour = key.replaceAll(".*/hour=([0-9]+)/.*", "$1");
        return date + "T" + hour + "h";
    }

    private static List<String> notOkLines(String output) {
        return output.lines().filter(line -> line.matches("\\s+\\d+\\s+\\S+h\\s+.*") && !line.matches("\\s+\\d+\\s+\\S+h\\s+OK\\s.*")).toList();
    }

    private static long countLines(String output, String contains) {
        return output.lines().filter(line -> line.matches("\\s+\\d+\\s+\\S+h\\s+.*") && line.contains(contains)).count();
    }

    private static String lineOf(String output, String group) {
        return output.lines().filter(line -> line.contains(group)).findFirst().orElse("(no line for " + group + ")");
    }
}
