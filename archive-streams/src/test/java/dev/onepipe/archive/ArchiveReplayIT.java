package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code onepipe replay} and {@code onepipe archive verify} as a user runs them: a replay into a fresh topic
 * reproduces every record (key, value, headers, timestamp, partition, order), archiving that topic gives the
 * same data again, a second replay is refused, a partial replay takes only what was asked for, and verify
 * fails on a missing or a duplicated chunk.
 */
class ArchiveReplayIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 4;
    private static final int RECORDS_PER_PARTITION = 3_000;
    private static final long RECORDS = (long) PARTITIONS * RECORDS_PER_PARTITION;

    @TempDir
    Path temporary;

    @Test
    void replaysAnArchiveIntoAFreshTopicByteForByte() throws Exception {
        String original = RUNTIME.uniqueName("original");
        RUNTIME.createTopic(original, PARTITIONS);
        new GeneratedRecords(RECORDS_PER_PARTITION, GeneratedRecords.SOME_DAY, Duration.ofHours(3), 0.05, Duration.ofMinutes(90), 100, 17)
                .produce(RUNTIME.bootstrapServers(), original, PARTITIONS);
        archive(original, "original");

        String replayed = RUNTIME.uniqueName("replayed");
        assertEquals(0, run("replay", "--topic", original, "--target-topic", replayed));
        Map<Integer, List<ArchivedRecord>> originalRecords = GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), original, PARTITIONS);
        assertEquals(withoutOffsets(originalRecords), withoutOffsets(GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), replayed, PARTITIONS)));

        archive(replayed, "replayed");
        assertEquals(withoutOffsets(ArchiveRun.readArchive(RUNTIME.s3Settings(), original)),
                withoutOffsets(ArchiveRun.readArchive(RUNTIME.s3Settings(), replayed)));

        assertEquals(2, run("replay", "--topic", original, "--target-topic", replayed), "a second replay into the same topic must be refused");
        assertEquals(withoutOffsets(originalRecords), withoutOffsets(GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), replayed, PARTITIONS)));
    }

    @Test
    void replaysOnlyThePartitionsAndTimesAskedFor() throws Exception {
        String original = RUNTIME.uniqueName("partial");
        RUNTIME.createTopic(original, PARTITIONS);
        new GeneratedRecords(RECORDS_PER_PARTITION, GeneratedRecords.SOME_DAY, Duration.ofHours(3), 0.05, Duration.ofMinutes(90), 40, 19)
                .produce(RUNTIME.bootstrapServers(), original, PARTITIONS);
        archive(original, "partial");
        Instant from = GeneratedRecords.SOME_DAY.plus(Duration.ofMinutes(70));
        Instant to = GeneratedRecords.SOME_DAY.plus(Duration.ofMinutes(130));

        String target = RUNTIME.uniqueName("window");
        assertEquals(0, run("replay", "--topic", original, "--target-topic", target, "--partitions", "1,3",
                "--from", from.toString(), "--to", to.toString().replace("Z", "").substring(0, 16)));

        Map<Integer, List<ArchivedRecord>> expected = new HashMap<>();
        GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), original, PARTITIONS).forEach((partition, records) -> expected.put(partition,
                partition % 2 == 1 ? records.stream().filter(record -> record.timestamp() >= from.toEpochMilli() && record.timestamp() < to.toEpochMilli()).toList()
                        : List.of()));
        assertTrue(expected.get(1).size() > 100);
        assertEquals(withoutOffsets(expected), withoutOffsets(GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), target, PARTITIONS)));
    }

    @Test
    void verifyFailsOnAMissingOrADuplicatedChunk() throws Exception {
        String topic = RUNTIME.uniqueName("tampered");
        RUNTIME.createTopic(topic, 2);
        new GeneratedRecords(2_000, GeneratedRecords.SOME_DAY, Duration.ofHours(2), 0.05, Duration.ofMinutes(60), 40, 23)
                .produce(RUNTIME.bootstrapServers(), topic, 2);
        archive(topic, "tampered");
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, "archive", "verify", "--topic", topic, "--require-complete"), out.toString());
        assertTrue(out.toString().contains("OK: every record"), out.toString());

        try (S3Client s3 = RUNTIME.newS3Client()) {
            List<String> keys = new ArrayList<>();
            s3.listObjectsV2Paginator(request -> request.bucket(RUNTIME.bucket()).prefix("raw/" + topic + "/partition=0/")).contents()
                    .forEach(object -> keys.add(object.key()));
            assertTrue(keys.size() >= 3, "expected several chunks, found " + keys);
            String middle = keys.get(keys.size() / 2);
            // A copy under another start offset's name: its records are then archived twice.
            ArchiveLayout layout = new ArchiveLayout("raw");
            ArchiveLayout.ChunkObject chunk = layout.parse(middle).orElseThrow();
            String copy = layout.objectKey(topic, chunk.partition(), chunk.hour(), chunk.startOffset() + 1);
            s3.copyObject(request -> request.sourceBucket(RUNTIME.bucket()).sourceKey(middle).destinationBucket(RUNTIME.bucket()).destinationKey(copy));
            StringWriter duplicated = new StringWriter();
            assertEquals(1, run(duplicated, "archive", "verify", "--topic", topic), duplicated.toString());
            assertTrue(duplicated.toString().contains("duplicates: "), duplicated.toString());

            s3.deleteObject(request -> request.bucket(RUNTIME.bucket()).key(copy));
            s3.deleteObject(request -> request.bucket(RUNTIME.bucket()).key(middle));
            StringWriter missing = new StringWriter();
            assertEquals(1, run(missing, "archive", "verify", "--topic", topic), missing.toString());
            assertTrue(missing.toString().contains("are missing"), missing.toString());
        }
    }

    private void archive(String topic, String instance) throws InterruptedException {
        try (TopologyRunner archive = ArchiveRun.start(topic, ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(),
                temporary.resolve(instance)))) {
            VerificationReport report = ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic, RECORDS_PER_PARTITION, Duration.ofMinutes(3));
            StringWriter printed = new StringWriter();
            report.print(new PrintWriter(printed));
            assertTrue(report.complete(), printed.toString());
        }
    }

    /** The records as replay reproduces them: everything but the offsets, which the target topic assigns anew. */
    private static Map<Integer, List<ArchivedRecord>> withoutOffsets(Map<Integer, List<ArchivedRecord>> records) {
        Map<Integer, List<ArchivedRecord>> stripped = new HashMap<>();
        records.forEach((partition, partitionRecords) -> stripped.put(partition, partitionRecords.stream()
                .map(record -> new ArchivedRecord(0, 0, record.timestamp(), record.key(), record.value(), record.headers())).toList()));
        stripped.values().removeIf(List::isEmpty);
        return stripped;
    }

    private static int run(String... arguments) {
        return run(new StringWriter(), arguments);
    }

    private static int run(StringWriter out, String... arguments) {
        S3Settings s3 = RUNTIME.s3Settings();
        List<String> command = new ArrayList<>(List.of(arguments));
        command.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers(), "--s3-endpoint", s3.endpoint().orElseThrow().toString(),
                "--s3-bucket", s3.bucket(), "--set", "onepipe.s3.access.key=" + s3.accessKey().orElseThrow(),
                "--set", "onepipe.s3.secret.key=" + s3.secretKey().orElseThrow()));
        CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        return commandLine.execute(command.toArray(String[]::new));
    }
}
