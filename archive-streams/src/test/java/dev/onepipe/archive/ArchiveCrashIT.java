package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive runs in a child JVM ({@code onepipe run archive}) that is killed with SIGKILL five times at
 * different points of a 200,000-record run, twice also losing its local state (so it restores the buffer
 * from the changelog), and restarted each time: the archive still holds every record exactly once.
 */
class ArchiveCrashIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 4;
    private static final int RECORDS_PER_PARTITION = 50_000;
    private static final long RECORDS = (long) PARTITIONS * RECORDS_PER_PARTITION;
    private static final double[] KILL_AT_SHARE_COMMITTED = {0.08, 0.22, 0.38, 0.55, 0.72};
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path temporary;

    @Test
    void survivesFiveKillsWithoutGapsOrDuplicates() throws Exception {
        String topic = RUNTIME.uniqueName("crashing");
        RUNTIME.createTopic(topic, PARTITIONS);
        new GeneratedRecords(RECORDS_PER_PARTITION, GeneratedRecords.SOME_DAY, Duration.ofHours(5), 0.05, Duration.ofMinutes(100), 60, 11)
                .produce(RUNTIME.bootstrapServers(), topic, PARTITIONS);
        Path stateRoot = temporary.resolve("state");
        Path log = temporary.resolve("archive.log");
        SplittableRandom random = new SplittableRandom(3);

        long started = System.nanoTime();
        Process archive = startArchive(topic, stateRoot, log);
        for (int kill = 0; kill < KILL_AT_SHARE_COMMITTED.length; kill++) {
            awaitCommitted(topic, (long) (KILL_AT_SHARE_COMMITTED[kill] * RECORDS), archive, log);
            Thread.sleep(random.nextInt(800));
            archive.destroyForcibly();
            assertTrue(archive.waitFor(30, TimeUnit.SECONDS), "the killed archive did not exit");
            if (kill % 2 == 1) {
                ArchiveRun.deleteRecursively(stateRoot);
            }
            archive = startArchive(topic, stateRoot, log);
            System.out.printf("kill %d at %,d committed, %d s into the run%n", kill + 1, committed(topic), (System.nanoTime() - started) / 1_000_000_000);
        }

        ArchiveRun.assertCompletesExactlyOnce(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic, RECORDS, archive, log, PATIENCE);
        assertEquals(GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), topic, PARTITIONS), ArchiveRun.readArchive(RUNTIME.s3Settings(), topic));
    }

    private Process startArchive(String topic, Path stateRoot, Path log) throws IOException {
        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), stateRoot);
        // A state folder lost with the process means a new transactional id: keep the killed one's open transaction short.
        settings.put(ArchiveSettings.TRANSACTION_TIMEOUT_MS, "10000");
        // Static membership: the restarted process takes the killed one's place at once instead of after its session timeout.
        settings.put("main.consumer.group.instance.id", "archive-crash-test");
        return ArchiveRun.startInChildJvm(topic, settings, log);
    }

    private void awaitCommitted(String topic, long records, Process archive, Path log) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (committed(topic) < records) {
            if (!archive.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("The archive did not commit " + records + " records (alive: " + archive.isAlive() + "); log:\n"
                        + String.join("\n", Files.readAllLines(log).stream().skip(Math.max(0, Files.readAllLines(log).size() - 40)).toList()));
            }
            Thread.sleep(100);
        }
    }

    private long committed(String topic) throws Exception {
        // Committed offsets count transaction markers too: a slight overestimate of records, fine for choosing kill points.
        return RUNTIME.admin().listConsumerGroupOffsets(ArchiveRun.consumerGroup(topic)).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }
}
