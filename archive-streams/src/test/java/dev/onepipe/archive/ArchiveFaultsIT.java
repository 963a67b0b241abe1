package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.runtime.health.ProgressWatch;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Faults of one record and of the environment on the real broker and S3 endpoint: a record's timestamp never stops
 * the archive, a missing bucket or a wrong key fails the start, and a bucket lost while running stops the archive with
 * exit code 3 and the cause, by the runner's health and stop policy, instead of looping while it reports RUNNING.
 */
class ArchiveFaultsIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final long YEAR_2100 = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();

    @TempDir
    Path temporary;

    @Test
    void aRecordStampedIn2100IsArchivedAndTheRecordsAfterItToo() throws Exception {
        String topic = RUNTIME.uniqueName("future-stamped");
        // the topic allows any timestamp; the archive's own changelog keeps the broker's default limit (one hour ahead)
        RUNTIME.createTopic(topic, 1, Map.of(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, String.valueOf(Long.MAX_VALUE)));
        long now = System.currentTimeMillis();
        List<Long> timestamps = new ArrayList<>();
        for (int index = 0; index < 5; index++) {
            timestamps.add(now - 60_000 + index);
        }
        timestamps.add(YEAR_2100);
        for (int index = 0; index < 5; index++) {
            timestamps.add(now - 50_000 + index);
        }
        produce(topic, timestamps);

        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), temporary.resolve("state"));
        try (TopologyRunner runner = ArchiveRun.start(topic, settings)) {
            VerificationReport report = ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic, timestamps.size(), PATIENCE);
            assertTrue(report.complete() && ArchiveRun.archivedRecords(report) == timestamps.size(),
                    "every record archived, the one of 2100 and the ones after it; health: " + runner.health());
            assertTrue(runner.health().healthy(), runner.health().toString());
        }
        List<Long> archived = ArchiveRun.readArchive(RUNTIME.s3Settings(), topic).get(0).stream().map(ArchivedRecord::timestamp).toList();
        assertEquals(timestamps, archived, "each record keeps its own timestamp in the archive");
    }

    @Test
    void aMissingBucketFailsTheStartNamingIt() throws Exception {
        String topic = RUNTIME.uniqueName("no-bucket");
        RUNTIME.createTopic(topic, 1);
        S3Settings s3 = RUNTIME.s3Settings();
        S3Settings missing = new S3Settings(s3.endpoint(), s3.region(), "no-such-bucket-" + System.nanoTime(), s3.accessKey(), s3.secretKey(),
                s3.pathStyle());
        try (OnepipeProcess run = runArchive(topic, missing, Map.of())) {
            int exit = run.awaitExit(PATIENCE);
            assertEquals(2, exit, run.output());
            assertTrue(run.output().contains("S3 bucket '" + missing.bucket() + "' at " + s3.endpoint().orElseThrow() + " does not exist"),
                    run.output());
            assertFalse(run.output().contains("RUNNING"), "never started:\n" + run.output());
        }
    }

    @Test
    void aWrongSecretKeyFailsTheStartWithoutPrintingTheKey() throws Exception {
        String topic = RUNTIME.uniqueName("wrong-key");
        RUNTIME.createTopic(topic, 1);
        S3Settings s3 = RUNTIME.s3Settings();
        String wrongSecret = "wrong-secret-" + System.nanoTime();
        S3Settings wrong = new S3Settings(s3.endpoint(), s3.region(), s3.bucket(), s3.accessKey(), java.util.Optional.of(wrongSecret),
                s3.pathStyle());
        try (OnepipeProcess run = runArchive(topic, wrong, Map.of())) {
            int exit = run.awaitExit(PATIENCE);
            assertEquals(2, exit, run.output());
            assertTrue(run.output().contains("S3 refused access to bucket '" + s3.bucket() + "'"), run.output());
            assertTrue(run.output().contains(S3Settings.SECRET_KEY), run.output());
            assertFalse(run.output().contains(wrongSecret), "the secret is never printed");
        }
    }

    @Test
    void aBucketLostWhileRunningStopsTheArchiveWithExitCodeThree() throws Exception {
        String topic = RUNTIME.uniqueName("bucket-lost");
        RUNTIME.createTopic(topic, 1);
        String bucket = "lost-" + System.nanoTime();
        S3Settings s3 = RUNTIME.s3Settings();
        S3Settings own = new S3Settings(s3.endpoint(), s3.region(), bucket, s3.accessKey(), s3.secretKey(), s3.pathStyle());
        try (S3Client client = RUNTIME.newS3Client()) {
            client.createBucket(request -> request.bucket(bucket));
            long now = System.currentTimeMillis();
            produce(topic, List.of(now - 3, now - 2, now - 1));
            try (OnepipeProcess run = runArchive(topic, own, Map.of(ProgressWatch.MAX_THREAD_REPLACEMENTS, "1"))) {
                assertTrue(run.awaitLine(line -> line.contains("RUNNING"), PATIENCE).isPresent(), run.output());
                assertTrue(ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), own, topic, 3, PATIENCE).complete(), run.output());

                for (S3Object object : client.listObjectsV2(request -> request.bucket(bucket)).contents()) {
                    client.deleteObject(request -> request.bucket(bucket).key(object.key()));
                }
                client.deleteBucket(request -> request.bucket(bucket));
                produce(topic, List.of(System.currentTimeMillis()));

                int exit = run.awaitExit(PATIENCE);
                String printed = run.output();
                assertEquals(3, exit, printed);
                assertTrue(printed.contains("onepipe: onepipe-archive-" + topic + " stopped: stream threads failed 2 times in a row, each within"),
                        printed);
                assertTrue(printed.contains("S3 refused") && printed.contains(bucket), printed);
            }
        }
    }

    private OnepipeProcess runArchive(String topic, S3Settings s3, Map<String, String> extra) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("run", "archive", "--topic", topic, "--status-interval", "1", "--close-timeout", "10"));
        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), s3, Files.createTempDirectory(temporary, "state"));
        settings.putAll(extra);
        settings.forEach((key, value) -> {
            arguments.add("--set");
            arguments.add(key + "=" + value);
        });
        return OnepipeProcess.start(arguments.toArray(String[]::new));
    }

    private static void produce(String topic, List<Long> timestamps) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "key.serializer", StringSerializer.class, "value.serializer", StringSerializer.class))) {
            for (long timestamp : timestamps) {
                producer.send(new ProducerRecord<>(topic, 0, timestamp, "key-" + timestamp, "value-" + timestamp)).get();
            }
        }
    }
}
