package dev.onepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.WidgetGenerator;
import dev.onepipe.testdata.WidgetGeneratorConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code onepipe produce --generate} publishes exactly what the seeded generator emits, with its event times. */
class ProduceGeneratedIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    /** A fixed start, so the expected records can be generated again; the default start moves with the clock. */
    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    private int execute(StringWriter out, String... arguments) {
        CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(out));
        List<String> withBroker = new ArrayList<>(List.of(arguments));
        withBroker.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers()));
        return commandLine.execute(withBroker.toArray(new String[0]));
    }

    @Test
    void aMissingTopicIsNamedAtOnce(@TempDir Path folder) throws Exception {
        Path schema = Files.writeString(folder.resolve("campaigns.avsc"), SampleDatasets.schema(SampleDatasets.CAMPAIGNS).toString());
        Path metadata = Files.writeString(folder.resolve("campaigns.json"), SampleDatasets.metadataJson(SampleDatasets.CAMPAIGNS));
        Path lines = Files.writeString(folder.resolve("campaigns.jsonl"), "{}\n");
        // Registered through the library, which (unlike onepipe metadata register) creates no topic.
        try (dev.onepipe.metadata.MetadataRegistry registry = dev.onepipe.metadata.MetadataRegistry.connect(
                Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            assertTrue(registry.register(dev.onepipe.metadata.RegistrationRequest.dataset(
                    dev.onepipe.metadata.DatasetMetadata.fromJson(Files.readString(metadata)), Files.readString(schema))).accepted());
        }

        StringWriter out = new StringWriter();
        int exit = execute(out, "produce", "--dataset", "campaigns", "--json", lines.toString());

        assertNotEquals(0, exit, out.toString());
        assertTrue(out.toString().contains("Topic 'campaigns' of dataset 'campaigns' does not exist"), out.toString());
        assertTrue(out.toString().contains("register the dataset with onepipe metadata register"), out.toString());
    }

    @Test
    void generatedWidgetsArriveAsTheGeneratorEmitsThem(@TempDir Path folder) throws Exception {
        Path schema = Files.writeString(folder.resolve("widgets.avsc"), SampleDatasets.schema(SampleDatasets.WIDGETS).toString());
        Path metadata = Files.writeString(folder.resolve("widgets.json"), SampleDatasets.metadataJson(SampleDatasets.WIDGETS));
        StringWriter out = new StringWriter();
        assertEquals(0, execute(out, "metadata", "register", "--metadata", metadata.toString(), "--schema", schema.toString()), out.toString());
        Matcher registered = Pattern.compile("subject widgets-value version 1 id (\\d+)").matcher(out.toString());
        assertTrue(registered.find(), out.toString());
        int schemaId = Integer.parseInt(registered.group(1));
        assertTrue(out.toString().contains("created topic widgets ("), "registration creates the topic: " + out);

        out = new StringWriter();
        assertEquals(0, execute(out, "produce", "--dataset", "widgets", "--generate", "800", "--seed", "7", "--corrupt-rate", "0.05",
                "--start", START.toString()), out.toString());

        List<GeneratedRecord> expected = new WidgetGenerator(WidgetGeneratorConfig.builder().seed(7).recordCount(800).corruptRate(0.05)
                .startTimeMillis(START.toEpochMilli()).build()).generateAll();
        long expectedCorrupt = expected.stream().filter(GeneratedRecord::isCorrupt).count();
        assertTrue(expectedCorrupt > 0, "the seed must produce some corrupt records for this test to mean anything");
        assertTrue(out.toString().contains("produced 800 record(s) to dataset widgets (" + expectedCorrupt + " of them corrupt on purpose)"),
                out.toString());

        List<ConsumerRecord<byte[], byte[]>> stored = readAll(SampleDatasets.WIDGETS);
        assertEquals(expected.size(), stored.size());
        Set<String> expectedKeyTimes = new HashSet<>();
        expected.forEach(record -> expectedKeyTimes.add(record.key() + "@" + record.timestampMillis()));
        Set<String> storedKeyTimes = new HashSet<>();
        stored.forEach(record -> storedKeyTimes.add(new String(record.key()) + "@" + record.timestamp()));
        assertEquals(expectedKeyTimes, storedKeyTimes, "every record keyed by its widget and stamped with its event time");
        long framed = stored.stream().filter(record -> record.value().length > 5 && record.value()[0] == 0
                && java.nio.ByteBuffer.wrap(record.value(), 1, 4).getInt() == schemaId).count();
        long validExpected = expected.size() - expectedCorrupt;
        assertTrue(framed >= validExpected, "valid records carry the registered schema id " + schemaId + ": " + framed + " < " + validExpected);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
