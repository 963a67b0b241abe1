package dev.onepipe.launcher;

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

import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code onepipe metadata ...} and {@code onepipe produce} against a real broker. */
class MetadataCommandIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final String SCHEMA_V1 = "{\"type\": \"record\", \"name\": \"Gadget\", \"fields\": ["
        + "{\"name\": \"gadget_id\", \"type\": \"string\"},"
        + "{\"name\": \"price\", \"type\": [\"null\", \"double\"], \"default\": null},"
        + "{\"name\": \"updated_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}}]}";
    private static final String SCHEMA_V2_INCOMPATIBLE = SCHEMA_V1.replace("]}",
        ", {\"name\": \"color\", \"type\": \"string\"}]}");
    private static final String METADATA = "{\"name\": \"gadgets\", \"uniqueKey\": [\"gadget_id\"],"
        + " \"eventTimeField\": \"updated_at\", \"owner\": \"gadget-team\"}";

    @TempDir
    Path folder;

    private StringWriter out;
    private StringWriter err;

    private int execute(final String... arguments) {
        out = new StringWriter();
        err = new StringWriter();
        final CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        final List<String> withBroker = new ArrayList<>(List.of(arguments));
        withBroker.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers(),
            "--set", "onepipe.metadata.topic=_onepipe_metadata_cli"));
        return commandLine.execute(withBroker.toArray(new String[0]));
    }

    private Path write(final String name, final String content) throws Exception {
        return Files.writeString(folder.resolve(name), content);
    }

    @Test
    void registerCheckListShowProduceAndDelete() throws Exception {
        final Path schema = write("gadget.avsc", SCHEMA_V1);
        final Path metadata = write("gadgets.json", METADATA);
        final Path incompatible = write("gadget-v2.avsc", SCHEMA_V2_INCOMPATIBLE);

        assertEquals(0, execute("metadata", "check", "--metadata", metadata.toString(), "--schema", schema.toString()),
            err.toString());
        assertTrue(out.toString().startsWith("dry run, nothing written: accepted register dataset gadgets with schema:"
            + " subject gadgets-value version 1 id 1 (new)"),
            out.toString());

        assertEquals(0, execute("metadata", "register", "--metadata", metadata.toString(), "--schema", schema.toString()),
            err.toString());
        assertTrue(out.toString().startsWith("accepted register dataset gadgets with schema: subject gadgets-value version 1"
            + " id 1 (new); dataset gadgets version 1 (new)"),
            out.toString());
        assertTrue(out.toString().contains("created topic gadgets (4 partitions, replication factor 1, retention.ms 604800000,"
            + " cleanup.policy delete)"), out.toString());
        assertTrue(out.toString().contains("created topic gadgets.dlq (4 partitions, replication factor 1, retention.ms"
            + " 604800000, cleanup.policy delete)"), out.toString());

        assertEquals(1, execute("metadata", "register", "--dataset", "gadgets", "--schema", incompatible.toString()));
        assertEquals(1, err.toString().lines().filter(line -> line.startsWith("onepipe: rejected")).count(), err.toString());
        assertTrue(err.toString().contains("field 'color': READER_FIELD_MISSING_DEFAULT_VALUE"), err.toString());

        assertEquals(0, execute("metadata", "list"), err.toString());
        assertTrue(out.toString().contains("gadgets") && out.toString().contains("gadget-team")
            && out.toString().contains("1 dataset(s)"), out.toString());

        assertEquals(0, execute("metadata", "show", "gadgets"), err.toString());
        assertTrue(out.toString().contains("\"name\" : \"gadget_id\""), out.toString());
        assertEquals(2, execute("metadata", "show", "gadgets", "7"));

        assertTopicsCreated();
        final Path lines = write("gadgets.jsonl", String.join("\n",
            "{\"gadget_id\": \"g-1\", \"price\": 1.5, \"updated_at\": \"2024-05-01T12:00:00Z\"}",
            "{\"gadget_id\": \"g-2\", \"price\": null, \"updated_at\": 0}",
            "",
            "{\"gadget_id\": \"g-3\", \"price\": \"free\", \"updated_at\": 0}",
            "{\"gadget_id\": \"g-4\", \"updated_at\": 5}"));
        assertEquals(1, execute("produce", "--dataset", "gadgets", "--json", lines.toString()));
        assertTrue(out.toString().contains("line 4: field 'price': string \"free\" fits no branch of union [null, double]"),
            out.toString());
        assertTrue(out.toString().contains("produced 3 record(s) to dataset gadgets, 1 failed, 5 line(s) read, 1 blank line(s) skipped"), out.toString());
        assertEquals(List.of("g-1", "g-2", "g-4"), keys("gadgets", 3));

        assertEquals(0, execute("metadata", "delete", "--dataset", "gadgets"), err.toString());
        assertEquals(0, execute("metadata", "list"));
        assertTrue(out.toString().contains("0 dataset(s)"), out.toString());
        assertEquals(1, execute("metadata", "delete", "--dataset", "nothing"));
        assertTrue(err.toString().contains("no dataset named 'nothing'"), err.toString());
    }

    /** The registration created both topics with the default settings: 4 partitions, one replica on one broker. */
    private static void assertTopicsCreated() throws Exception {
        Map<String, org.apache.kafka.clients.admin.TopicDescription> topics = null;
        final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (topics == null) {
            try {
                topics = RUNTIME.admin().describeTopics(List.of("gadgets", "gadgets.dlq")).allTopicNames().get();
            } catch (final java.util.concurrent.ExecutionException exception) {
                if (System.nanoTime() > deadline) {
                    throw exception;
                }
                Thread.sleep(100);
            }
        }
        assertEquals(4, topics.get("gadgets").partitions().size());
        assertEquals(4, topics.get("gadgets.dlq").partitions().size());
    }

    private static List<String> keys(final String topic, final int expected) {
        final List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", RUNTIME.bootstrapServers(), "group.id", "metadata-command-it",
                "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (keys.size() < expected && System.nanoTime() < deadline) {
                for (final ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(record.key());
                    assertEquals(0, record.value()[0], "wire format magic byte");
                }
            }
        }
        return keys;
    }
}
