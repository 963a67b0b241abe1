package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.embedded.EmbeddedS3Endpoint;
import dev.onepipe.core.embedded.LoopbackPorts;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 endpoint stops for 20 seconds while records keep arriving, then starts again on the same folder and
 * port: the archive holds its offsets during the outage, says so once, resumes by itself, and ends with every
 * record exactly once.
 */
class ArchiveOutageIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 4;
    private static final int RECORDS_PER_PARTITION = 10_000;
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @TempDir
    Path temporary;

    @Test
    void holdsOffsetsThroughAnS3OutageAndResumesUnaided() throws Exception {
        String topic = RUNTIME.uniqueName("outage");
        RUNTIME.createTopic(topic, PARTITIONS);
        Path s3Data = temporary.resolve("s3");
        // Restarted on the same port: one below the ephemeral range, which the clients' reconnections cannot take.
        int port = LoopbackPorts.freePort();
        EmbeddedS3Endpoint s3 = EmbeddedS3Endpoint.start(s3Data, port);
        S3Settings s3Settings = s3.settings("outage-bucket");
        try (S3Client client = S3ClientFactory.create(s3Settings)) {
            S3ClientFactory.ensureBucket(client, s3Settings.bucket());
        }
        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), s3Settings, temporary.resolve("state"));
        settings.put(ArchiveSettings.CHUNK_MAX_RECORDS, "500");

        PrintStream originalErr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeStream(originalErr, logged), true, StandardCharsets.UTF_8));
        VerificationReport report;
        try (TopologyRunner archive = ArchiveRun.start(topic, settings)) {
            // Records arrive before, during and after the outage.
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> new GeneratedRecords(RECORDS_PER_PARTITION, GeneratedRecords.SOME_DAY,
                    Duration.ofHours(3), 0.05, Duration.ofMinutes(60), 60, 5).produceSlowly(RUNTIME.bootstrapServers(), topic, PARTITIONS, Duration.ofSeconds(30)));
            awaitCommitted(topic, RECORDS_PER_PARTITION / 2);
            s3.close();
            long committedWhenS3Stopped = committed(topic);
            Thread.sleep(OUTAGE.toMillis());
            long committedAtEndOfOutage = committed(topic);
            s3 = EmbeddedS3Endpoint.start(s3Data, port);
            producing.get(2, TimeUnit.MINUTES);
            report = ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), s3Settings, topic, (long) PARTITIONS * RECORDS_PER_PARTITION, Duration.ofMinutes(3));
            assertTrue(committedAtEndOfOutage - committedWhenS3Stopped < (long) PARTITIONS * RECORDS_PER_PARTITION / 2,
                    "offsets kept being committed while S3 was down: " + committedWhenS3Stopped + " -> " + committedAtEndOfOutage);
        } finally {
            System.setErr(originalErr);
            s3.close();
        }
        StringWriter printed = new StringWriter();
        report.print(new PrintWriter(printed));
        assertTrue(report.complete(), printed.toString());
        assertEquals((long) PARTITIONS * RECORDS_PER_PARTITION, ArchiveRun.archivedRecords(report), printed.toString());

        String log = logged.toString(StandardCharsets.UTF_8);
        assertEquals(1, log.lines().filter(line -> line.contains("S3 unavailable")).count(), log);
        assertEquals(1, log.lines().filter(line -> line.contains("S3 available again")).count(), log);
    }

    private static void awaitCommitted(String topic, long records) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (committed(topic) < records) {
            assertTrue(System.nanoTime() < deadline, "the archive did not commit " + records + " records");
            Thread.sleep(100);
        }
    }

    private static long committed(String topic) throws Exception {
        return RUNTIME.admin().listConsumerGroupOffsets(ArchiveRun.consumerGroup(topic)).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    /** Writes to two streams: the console as usual, and a buffer the test reads the log from. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }
    }
}
