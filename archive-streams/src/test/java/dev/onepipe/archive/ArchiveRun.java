package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.archive.format.ArchiveReader;
import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.archive.verify.ArchiveVerifier;
import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import org.apache.kafka.clients.admin.Admin;
import software.amazon.awssdk.services.s3.S3Client;

/** Starts the archive topology in this JVM the way {@code onepipe run archive --topic <t>} does, and verifies its archive. */
final class ArchiveRun {

    private ArchiveRun() {
    }

    /** Settings that keep tests quick: small chunks, a short idle flush, fast failure detection. */
    static Map<String, String> testSettings(String bootstrapServers, S3Settings s3, Path stateRoot) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(OnepipeConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        settings.putAll(s3.toConfig());
        settings.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        settings.put(ArchiveSettings.CHUNK_MAX_RECORDS, "4000");
        settings.put(ArchiveSettings.CHUNK_MAX_SPAN_MS, String.valueOf(Duration.ofMinutes(45).toMillis()));
        settings.put(ArchiveSettings.MAX_OPEN_CHUNKS, "3");
        settings.put(ArchiveSettings.IDLE_FLUSH_MS, "1500");
        settings.put("consumer.session.timeout.ms", "6000");
        settings.put("consumer.heartbeat.interval.ms", "1500");
        return settings;
    }

    /**
     * Starts {@code onepipe run archive --topic <topic>} in a child JVM, its output appended to {@code log}, so a
     * test can kill it with SIGKILL ({@link Process#destroyForcibly()}).
     */
    static Process startInChildJvm(String topic, Map<String, String> settings, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"),
                OnepipeCommand.class.getName(), "run", "archive", "--topic", topic, "--close-timeout", "10"));
        settings.forEach((key, value) -> {
            command.add("--set");
            command.add(key + "=" + value);
        });
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /**
     * Waits until the archive in {@code child} has put every one of {@code records} committed records in S3,
     * stops it, and asserts the archive is complete and exactly once (the log's errors shown on failure).
     */
    static void assertCompletesExactlyOnce(String bootstrapServers, S3Settings s3, String topic, long records, Process child, Path log,
                                           Duration patience) throws IOException, InterruptedException {
        VerificationReport report;
        try {
            report = awaitComplete(bootstrapServers, s3, topic, records, patience);
        } finally {
            child.destroy();
            child.waitFor(60, TimeUnit.SECONDS);
        }
        StringWriter printed = new StringWriter();
        report.print(new PrintWriter(printed));
        assertTrue(report.complete(), printed + "\n" + Files.readString(log).lines().filter(line -> line.contains("ERROR")).limit(20).toList());
        assertEquals(records, archivedRecords(report), printed.toString());
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (var paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    static TopologyRunner start(String topic, Map<String, String> settings) {
        ArchiveTopology topology = new ArchiveTopology();
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), settings);
        return TopologyRunner.start(topology, new TopologyContext(topology.name(), Optional.empty(), topic, config));
    }

    static String consumerGroup(String topic) {
        return TopologyContext.APPLICATION_ID_PREFIX + ArchiveTopology.NAME + "-" + topic;
    }

    static VerificationReport verify(String bootstrapServers, S3Settings s3, String topic) {
        try (S3Client client = S3ClientFactory.create(s3);
             ArchiveReader reader = new ArchiveReader(client, s3.bucket(), new ArchiveLayout("raw"));
             Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            return new ArchiveVerifier(reader, admin, Map.of("bootstrap.servers", bootstrapServers))
                    .verify(topic, "s3://" + s3.bucket() + "/raw/" + topic + "/", consumerGroup(topic));
        }
    }

    /** Verifies until the archive is complete (every committed record in S3) or {@code timeout} passes; returns the last report. */
    static VerificationReport awaitComplete(String bootstrapServers, S3Settings s3, String topic, long committedRecords, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        VerificationReport report = verify(bootstrapServers, s3, topic);
        while (!(report.complete() && archivedRecords(report) >= committedRecords) && System.nanoTime() < deadline) {
            Thread.sleep(2000);
            report = verify(bootstrapServers, s3, topic);
        }
        return report;
    }

    /** Every archived record per partition, in offset order, read with the archive's own reader. */
    static Map<Integer, java.util.List<ArchivedRecord>> readArchive(S3Settings s3, String topic) {
        Map<Integer, java.util.List<ArchivedRecord>> records = new java.util.HashMap<>();
        try (S3Client client = S3ClientFactory.create(s3);
             ArchiveReader reader = new ArchiveReader(client, s3.bucket(), new ArchiveLayout("raw"))) {
            reader.list(topic).stream().collect(java.util.stream.Collectors.groupingBy(ArchiveLayout.ChunkObject::partition))
                    .forEach((partition, objects) -> {
                        java.util.List<ArchivedRecord> partitionRecords = new java.util.ArrayList<>();
                        try (ArchiveReader.PartitionRecords merged = reader.records(objects, false, (object, metadata) -> { })) {
                            merged.forEachRemaining(partitionRecords::add);
                        }
                        records.put(partition, partitionRecords);
                    });
        }
        return records;
    }

    static long archivedRecords(VerificationReport report) {
        return report.partitions().stream().mapToLong(VerificationReport.PartitionReport::records).sum();
    }
}
