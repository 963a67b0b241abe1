package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.onepipe.archive.cli.VerifyCommand;
import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A compacted topic whose cleaner removes the records of a chunk that was open when the archive stopped: after a clean
 * stop (SIGTERM) the chunk is in S3 already and the restarted archive goes on; after a crash the restarted archive says
 * once that the records are gone and stops with exit code 3, and {@code archive verify} names the lost offsets instead
 * of saying OK.
 */
class ArchiveCompactedTopicIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final List<String> KEYS = List.of("k0", "k1", "k2");

    @TempDir
    Path temporary;

    @Test
    void aCleanStopLeavesNoChunkDependingOnTheTopic() throws Exception {
        String topic = compactedTopic("compacted-clean");
        produce(topic, KEYS, "first");
        Path state = temporary.resolve("state-clean");
        try (OnepipeProcess archive = runArchive(topic, state)) {
            awaitCommitted(topic, 3, archive);
            assertEquals(143, archive.terminate(PATIENCE), archive.output());
        }
        compactAwayTheFirstRecords(topic);

        try (OnepipeProcess archive = runArchive(topic, state)) {
            awaitCommitted(topic, 7, archive);
            StringWriter out = new StringWriter();
            assertEquals(0, verify(out, topic), out + "\n" + archive.output());
            assertTrue(out.toString().contains("gaps: none"), out.toString());
            assertEquals(143, archive.terminate(PATIENCE), archive.output());
        }
        List<Long> archived = ArchiveRun.readArchive(RUNTIME.s3Settings(), topic).get(0).stream().map(ArchivedRecord::offset).toList();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), archived, "the records the cleaner removed are in S3 from the clean stop");
    }

    @Test
    void aRestartThatFindsTheRecordsGoneSaysSoOnceAndStopsAndVerifyNamesTheHole() throws Exception {
        String topic = compactedTopic("compacted-crash");
        produce(topic, KEYS, "first");
        Path state = temporary.resolve("state-crash");
        try (OnepipeProcess archive = runArchive(topic, state)) {
            awaitCommitted(topic, 3, archive);
            archive.kill();
        }
        compactAwayTheFirstRecords(topic);

        try (OnepipeProcess archive = runArchive(topic, state)) {
            int exit = archive.awaitExit(PATIENCE);
            String printed = archive.output();
            assertEquals(3, exit, printed);
            assertTrue(printed.contains("stopped: a fault no new stream thread can heal: The records of the chunk of " + topic + "-0 from offset 0"
                    + " are no longer in the topic"), printed);
            assertTrue(!printed.contains("replacing it"), "said once, not once per replaced thread:\n" + printed);
        }
        StringWriter out = new StringWriter();
        assertEquals(VerifyCommand.GAPS_OR_DUPLICATES, verify(out, topic), out.toString());
        assertTrue(out.toString().contains("offsets 0 to 2 are in neither S3 nor the topic"), out.toString());
        assertTrue(out.toString().contains("FAILED"), out.toString());
    }

    private String compactedTopic(String prefix) {
        String topic = RUNTIME.uniqueName(prefix);
        RUNTIME.createTopic(topic, 1, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.SEGMENT_MS_CONFIG, "200", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.001",
                TopicConfig.DELETE_RETENTION_MS_CONFIG, "0", TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0"));
        return topic;
    }

    /** Writes newer values of the same keys, rolls the segment, and waits until the cleaner removed offsets 0 to 2. */
    private static void compactAwayTheFirstRecords(String topic) throws Exception {
        produce(topic, KEYS, "second");
        Thread.sleep(500);
        produce(topic, List.of("k3"), "roll");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (firstOffset(topic) < 3) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the cleaner did not remove offsets 0 to 2 of " + topic);
            }
            Thread.sleep(1_000);
        }
    }

    private static long firstOffset(String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "key.deserializer", StringDeserializer.class, "value.deserializer", StringDeserializer.class))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            for (int attempt = 0; attempt < 20; attempt++) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    return record.offset();
                }
            }
            return -1;
        }
    }

    private OnepipeProcess runArchive(String topic, Path state) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("run", "archive", "--topic", topic, "--status-interval", "1", "--close-timeout", "30"));
        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), state);
        // the chunk stays open: nothing reaches S3 but by the clean stop
        settings.put(ArchiveSettings.IDLE_FLUSH_MS, "600000");
        settings.put("commit.interval.ms", "200");
        settings.forEach((key, value) -> {
            arguments.add("--set");
            arguments.add(key + "=" + value);
        });
        Files.createDirectories(state);
        return OnepipeProcess.start(arguments.toArray(String[]::new));
    }

    private static void awaitCommitted(String topic, long offset, OnepipeProcess archive) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            OffsetAndMetadata committed = RUNTIME.admin().listConsumerGroupOffsets(ArchiveRun.consumerGroup(topic)).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
            if (committed != null && committed.offset() >= offset) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the archive did not commit offset " + offset + ":\n" + archive.output());
            }
            Thread.sleep(200);
        }
    }

    private static void produce(String topic, List<String> keys, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "key.serializer", StringSerializer.class, "value.serializer", StringSerializer.class))) {
            for (String key : keys) {
                producer.send(new ProducerRecord<>(topic, 0, key, value + "-" + key)).get();
            }
        }
    }

    private static int verify(StringWriter out, String topic) {
        S3Settings s3 = RUNTIME.s3Settings();
        CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(out, true));
        return commandLine.execute("archive", "verify", "--topic", topic, "--bootstrap-servers", RUNTIME.bootstrapServers(),
                "--s3-endpoint", s3.endpoint().orElseThrow().toString(), "--s3-bucket", s3.bucket(),
                "--set", "onepipe.s3.access.key=" + s3.accessKey().orElseThrow(), "--set", "onepipe.s3.secret.key=" + s3.secretKey().orElseThrow());
    }
}
