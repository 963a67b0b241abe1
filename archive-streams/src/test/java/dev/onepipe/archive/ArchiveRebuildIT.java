package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.archive.format.ParquetChunkFormat;
import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The rebuild path: the archive commits every record while the last chunks of each partition are still open
 * (their records in no object yet), is killed with SIGKILL, loses its local state too, and is started again.
 * The open chunks' records exist then only in the topic, at the offsets their committed states name; the
 * restarted archive reads them back from there, and every object in S3 is byte for byte the Parquet file of
 * exactly the topic's records of its partition and hour from its start offset to its last offset. Started
 * once more with those last chunks in S3 by their idle upload but still open, it reads them back from S3 and
 * later records of their hour still join them.
 */
class ArchiveRebuildIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 2;
    private static final int RECORDS_PER_PARTITION = 6_000;
    private static final long RECORDS = (long) PARTITIONS * RECORDS_PER_PARTITION;
    private static final int MORE_RECORDS_PER_PARTITION = 500;
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path temporary;

    @Test
    void openChunksCommittedBeforeAKillAreRebuiltFromTheTopic() throws Exception {
        String topic = RUNTIME.uniqueName("rebuilt");
        RUNTIME.createTopic(topic, PARTITIONS);
        new GeneratedRecords(RECORDS_PER_PARTITION, GeneratedRecords.SOME_DAY, Duration.ofHours(3), 0.05, Duration.ofMinutes(90), 60, 17)
                .produce(RUNTIME.bootstrapServers(), topic, PARTITIONS);
        Path stateRoot = temporary.resolve("state");
        Path log = temporary.resolve("archive.log");

        // No idle flush while the first process runs: the chunks open at the end stay only in its buffer.
        Process archive = ArchiveRun.startInChildJvm(topic, settings(stateRoot, Duration.ofMinutes(30)), log);
        VerificationReport beforeKill = awaitAllCommitted(topic, archive, log);
        archive.destroyForcibly();
        assertTrue(archive.waitFor(30, TimeUnit.SECONDS), "the killed archive did not exit");
        StringWriter printedBeforeKill = new StringWriter();
        beforeKill.print(new PrintWriter(printedBeforeKill));
        assertTrue(beforeKill.exactlyOnce(), printedBeforeKill.toString());
        for (VerificationReport.PartitionReport partition : beforeKill.partitions()) {
            assertTrue(partition.pending() > 0, "partition " + partition.partition() + " has no open chunk to rebuild:\n" + printedBeforeKill);
        }
        ArchiveRun.deleteRecursively(stateRoot);

        archive = ArchiveRun.startInChildJvm(topic, settings(stateRoot, Duration.ofMillis(1500)), log);
        ArchiveRun.assertCompletesExactlyOnce(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic, RECORDS, archive, log, PATIENCE);
        assertTrue(Pattern.compile("[1-9][0-9]* from the topic").matcher(Files.readString(log)).find(),
                "the restarted archive did not rebuild any chunk from the topic");
        Map<Integer, List<ArchivedRecord>> topicRecords = GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), topic, PARTITIONS);
        assertEquals(topicRecords, ArchiveRun.readArchive(RUNTIME.s3Settings(), topic));
        assertEveryObjectIsTheParquetFileOfItsRecords(topic, topicRecords);

        // The last chunks are now in S3 by their idle upload, and still open: started again, the archive reads
        // them back from S3, and more records of their hour make them grow and replace their objects.
        String lastHourTail = "2026-11-01T07:50:00Z";
        new GeneratedRecords(MORE_RECORDS_PER_PARTITION, Instant.parse(lastHourTail), Duration.ofMinutes(5), 0, Duration.ofMinutes(1), 60, 23)
                .produce(RUNTIME.bootstrapServers(), topic, PARTITIONS);
        archive = ArchiveRun.startInChildJvm(topic, settings(stateRoot, Duration.ofMillis(1500)), log);
        ArchiveRun.assertCompletesExactlyOnce(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic,
                RECORDS + (long) PARTITIONS * MORE_RECORDS_PER_PARTITION, archive, log, PATIENCE);
        assertTrue(Pattern.compile("[1-9][0-9]* from S3").matcher(Files.readString(log)).find(),
                "the archive did not read any idle-uploaded chunk back from S3");
        Map<Integer, List<ArchivedRecord>> allTopicRecords = GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), topic, PARTITIONS);
        assertEquals(allTopicRecords, ArchiveRun.readArchive(RUNTIME.s3Settings(), topic));
        assertEveryObjectIsTheParquetFileOfItsRecords(topic, allTopicRecords);
    }

    private Map<String, String> settings(Path stateRoot, Duration idleFlush) {
        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), stateRoot);
        settings.put(ArchiveSettings.IDLE_FLUSH_MS, String.valueOf(idleFlush.toMillis()));
        // The state folder is lost with the process, so the restart has a new transactional id: keep the killed one's open transaction short.
        settings.put(ArchiveSettings.TRANSACTION_TIMEOUT_MS, "10000");
        settings.put("main.consumer.group.instance.id", "archive-rebuild-test");
        return settings;
    }

    /** Waits until every record of the topic is committed, in S3 or pending in an open chunk; returns that report. */
    private VerificationReport awaitAllCommitted(String topic, Process archive, Path log) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            VerificationReport report = ArchiveRun.verify(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic);
            long committed = report.partitions().stream().mapToLong(partition -> partition.records() + partition.pending()).sum();
            if (report.partitions().size() == PARTITIONS && committed >= RECORDS) {
                return report;
            }
            assertTrue(archive.isAlive() && System.nanoTime() < deadline, "the archive did not commit every record (alive: "
                    + archive.isAlive() + "); log:\n" + Files.readAllLines(log).stream().filter(line -> line.contains("ERROR")).limit(20).toList());
            Thread.sleep(1000);
        }
    }

    /** Each object holds exactly the topic's records of its partition and hour from its start to its last offset, as Parquet bytes. */
    private void assertEveryObjectIsTheParquetFileOfItsRecords(String topic, Map<Integer, List<ArchivedRecord>> topicRecords) throws Exception {
        ArchiveLayout layout = new ArchiveLayout("raw");
        String bucket = RUNTIME.s3Settings().bucket();
        try (S3Client s3 = S3ClientFactory.create(RUNTIME.s3Settings())) {
            List<String> keys = s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(layout.topicPrefix(topic))).contents()
                    .stream().map(object -> object.key()).toList();
            assertFalse(keys.isEmpty(), "no objects");
            for (String key : keys) {
                ArchiveLayout.ChunkObject object = layout.parse(key).orElseThrow(() -> new AssertionError("not a chunk key: " + key));
                ResponseBytes<GetObjectResponse> stored = s3.getObjectAsBytes(request -> request.bucket(bucket).key(key));
                long lastOffset = Long.parseLong(stored.response().metadata().get(ArchiveProcessor.LAST_OFFSET_METADATA));
                List<ArchivedRecord> expected = topicRecords.get(object.partition()).stream()
                        .filter(record -> record.offset() >= object.startOffset() && record.offset() <= lastOffset
                                && PartitionChunks.hourOf(record.timestamp()) == object.hour())
                        .toList();
                assertEquals(String.valueOf(expected.size()), stored.response().metadata().get(ArchiveProcessor.RECORD_COUNT_METADATA), key);
                Path expectedFile = temporary.resolve("expected-" + object.partition() + "-" + object.startOffset() + ".parquet");
                ParquetChunkFormat.write(new LocalOutputFile(expectedFile), topic, object.partition(), InputTopic.CREATE_TIME, expected.iterator());
                assertArrayEquals(Files.readAllBytes(expectedFile), stored.asByteArray(), key);
                Files.delete(expectedFile);
            }
        }
    }
}
