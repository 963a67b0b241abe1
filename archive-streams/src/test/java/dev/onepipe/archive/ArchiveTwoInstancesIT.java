package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the archive share an 8-partition topic; one stops while records are still arriving and
 * the other takes its partitions over, restoring their buffers: every record is archived exactly once.
 */
class ArchiveTwoInstancesIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 8;
    private static final int RECORDS_PER_PARTITION = 5_000;

    @TempDir
    Path temporary;

    @Test
    void oneInstanceStopsAndTheOtherTakesOver() throws Exception {
        String topic = RUNTIME.uniqueName("shared");
        RUNTIME.createTopic(topic, PARTITIONS);
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> new GeneratedRecords(RECORDS_PER_PARTITION, GeneratedRecords.SOME_DAY,
                Duration.ofHours(4), 0.05, Duration.ofMinutes(90), 80, 13).produceSlowly(RUNTIME.bootstrapServers(), topic, PARTITIONS, Duration.ofSeconds(25)));

        TopologyRunner first = ArchiveRun.start(topic, settings("first"));
        VerificationReport report;
        try (TopologyRunner second = ArchiveRun.start(topic, settings("second"))) {
            awaitCommitted(topic, (long) PARTITIONS * RECORDS_PER_PARTITION / 3);
            assertTrue(first.close(Duration.ofSeconds(60)), "the first instance did not stop within a minute");
            producing.get(2, TimeUnit.MINUTES);
            report = ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic, (long) PARTITIONS * RECORDS_PER_PARTITION,
                    Duration.ofMinutes(3));
        } finally {
            first.close(Duration.ofSeconds(60));
        }
        StringWriter printed = new StringWriter();
        report.print(new PrintWriter(printed));
        assertTrue(report.complete(), printed.toString());
        assertEquals((long) PARTITIONS * RECORDS_PER_PARTITION, ArchiveRun.archivedRecords(report), printed.toString());
        assertEquals(GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), topic, PARTITIONS), ArchiveRun.readArchive(RUNTIME.s3Settings(), topic));
    }

    /** Each instance keeps its state in its own folder, as on two machines. */
    private Map<String, String> settings(String instance) {
        return ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), temporary.resolve(instance));
    }

    private static void awaitCommitted(String topic, long records) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (RUNTIME.admin().listConsumerGroupOffsets(ArchiveRun.consumerGroup(topic)).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).values().stream().mapToLong(OffsetAndMetadata::offset).sum() < records) {
            assertTrue(System.nanoTime() < deadline, "the archive did not commit " + records + " records");
            Thread.sleep(100);
        }
    }
}
