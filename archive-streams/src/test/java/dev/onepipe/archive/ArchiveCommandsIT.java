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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.onepipe.archive.cli.VerifyCommand;
import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code archive verify} and {@code replay} name what they work on and why they fail: {@code --dataset} means the
 * dataset's topic and the archive's consumer group from the registry, and a record too large for the target names its
 * partition, offset, size and the limit, while a missing target gets the source's {@code max.message.bytes}.
 */
class ArchiveCommandsIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final int LARGE = 2_000_000;

    @TempDir
    Path temporary;

    @Test
    void verifyAndReplayOfADatasetUseItsRegisteredTopic() throws Exception {
        String topic = RUNTIME.uniqueName("orders-v2");
        RUNTIME.createTopic(topic, 1);
        try (MetadataRegistry registry = MetadataRegistry.connect(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            Schema schema = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Order\", \"fields\": ["
                    + "{\"name\": \"order_id\", \"type\": \"string\"}]}");
            DatasetMetadata metadata = DatasetMetadata.fromJson("{\"name\": \"orders\", \"topic\": \"" + topic + "\", \"uniqueKey\": [\"order_id\"]}");
            RegistrationResult result = registry.register(RegistrationRequest.dataset(metadata, schema));
            assertTrue(result.accepted(), result.summary());
        }
        produce(topic, List.of(10, 20, 30));
        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), temporary.resolve("state"));
        ArchiveTopology archive = new ArchiveTopology();
        OnepipeConfig config = TopologyRunner.configure(archive, Map.of(), Map.of(), settings);
        try (TopologyRunner runner = TopologyRunner.start(archive, new TopologyContext(archive.name(), Optional.of("orders"), topic, config))) {
            awaitVerified(List.of("archive", "verify", "--dataset", "orders", "--require-complete"));
        }
        // complete means it found the topic's 3 records in S3 and the archive's committed offsets: with 'orders' as the
        // topic name it found no partition, which is never complete (exit code 3)
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, "archive", "verify", "--dataset", "orders", "--require-complete"), out.toString());

        String copy = RUNTIME.uniqueName("orders-copy");
        assertEquals(0, run(new StringWriter(), "replay", "--dataset", "orders", "--target-topic", copy));
        assertEquals(3, GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), copy, 1).get(0).size());

        assertEquals(2, run(new StringWriter(), "archive", "verify", "--dataset", "nope"), "an unknown dataset is a configuration error");
    }

    @Test
    void aRecordTooLargeForTheTargetIsNamedAndAMissingTargetGetsTheSourceLimit() throws Exception {
        String topic = RUNTIME.uniqueName("large-records");
        RUNTIME.createTopic(topic, 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "3000000"));
        produce(topic, List.of(100, 200, LARGE, 300));
        Map<String, String> settings = ArchiveRun.testSettings(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), temporary.resolve("state-large"));
        try (TopologyRunner runner = ArchiveRun.start(topic, settings)) {
            assertTrue(ArchiveRun.awaitComplete(RUNTIME.bootstrapServers(), RUNTIME.s3Settings(), topic, 4, PATIENCE).complete());
        }

        String defaults = RUNTIME.uniqueName("broker-defaults");
        RUNTIME.createTopic(defaults, 1);
        StringWriter failed = new StringWriter();
        int exit = run(failed, "replay", "--topic", topic, "--target-topic", defaults);
        assertEquals(1, exit, failed.toString());
        assertTrue(failed.toString().contains("partition 0, offset 2 (2,000,"), failed.toString());
        assertTrue(failed.toString().contains("is larger than the max.message.bytes of '" + defaults + "' (1,048,588 bytes)"), failed.toString());
        assertTrue(failed.toString().contains("Nothing was committed to the target"), failed.toString());

        String created = RUNTIME.uniqueName("created-target");
        assertEquals(0, run(new StringWriter(), "replay", "--topic", topic, "--target-topic", created));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, created);
        Config config = RUNTIME.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        assertEquals("3000000", config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
        List<ArchivedRecord> replayed = GeneratedRecords.readTopic(RUNTIME.bootstrapServers(), created, 1).get(0);
        assertEquals(List.of(100, 200, LARGE, 300), replayed.stream().map(record -> record.value().length).toList());
    }

    private void awaitVerified(List<String> arguments) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        StringWriter out = new StringWriter();
        while (System.nanoTime() < deadline) {
            out = new StringWriter();
            if (run(out, arguments.toArray(String[]::new)) == 0) {
                return;
            }
            Thread.sleep(2_000);
        }
        throw new AssertionError("never verified complete:\n" + out);
    }

    private static void produce(String topic, List<Integer> sizes) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "max.request.size", 3_500_000), new ByteArraySerializer(), new ByteArraySerializer())) {
            int index = 0;
            for (int size : sizes) {
                byte[] value = new byte[size];
                Arrays.fill(value, (byte) ('a' + index % 26));
                producer.send(new ProducerRecord<>(topic, 0, ("key-" + index++).getBytes(StandardCharsets.UTF_8), value)).get();
            }
        }
    }

    @Test
    void anS3ThatCannotBeReadIsExitCodeFourNotAGap() {
        String topic = RUNTIME.uniqueName("unreadable-archive");
        RUNTIME.createTopic(topic, 1);
        StringWriter out = new StringWriter();
        int exit = runWithBucket(out, "no-such-bucket-" + topic.toLowerCase(java.util.Locale.ROOT), "archive", "verify", "--topic", topic);
        assertEquals(VerifyCommand.UNREADABLE, exit, out.toString());
    }

    /** Runs {@code onepipe <arguments>} in this JVM against the test's broker and S3; standard output and error both to {@code out}. */
    private static int run(StringWriter out, String... arguments) {
        return runWithBucket(out, RUNTIME.s3Settings().bucket(), arguments);
    }

    private static int runWithBucket(StringWriter out, String bucket, String... arguments) {
        S3Settings s3 = RUNTIME.s3Settings();
        List<String> command = new ArrayList<>(List.of(arguments));
        command.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers(), "--s3-endpoint", s3.endpoint().orElseThrow().toString(),
                "--s3-bucket", bucket, "--set", "onepipe.s3.access.key=" + s3.accessKey().orElseThrow(),
                "--set", "onepipe.s3.secret.key=" + s3.secretKey().orElseThrow()));
        CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(out, true));
        PrintStream standardOut = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            return commandLine.execute(command.toArray(String[]::new));
        } finally {
            System.setOut(standardOut);
            out.write(printed.toString(StandardCharsets.UTF_8));
        }
    }
}
