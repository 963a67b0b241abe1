package dev.onepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The registry never reuses an id: reading it never creates it, and a registry that finds itself empty while records on
 * the topics carry schema ids starts above the highest of them.
 */
class RegistryIdReuseIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final String SCHEMA = "{\"type\": \"record\", \"name\": \"Gadget\", \"fields\": ["
        + "{\"name\": \"gadget_id\", \"type\": \"string\"},"
        + "{\"name\": \"updated_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}}]}";

    @TempDir
    Path folder;

    private StringWriter out;
    private StringWriter err;

    private int execute(final String metadataTopic, final String... arguments) {
        out = new StringWriter();
        err = new StringWriter();
        final CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        final List<String> withBroker = new ArrayList<>(List.of(arguments));
        withBroker.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers(), "--set", "onepipe.metadata.topic=" + metadataTopic));
        return commandLine.execute(withBroker.toArray(new String[0]));
    }

    private boolean exists(final String topic) throws Exception {
        return RUNTIME.admin().listTopics().names().get(30, TimeUnit.SECONDS).contains(topic);
    }

    @Test
    void readingTheRegistryNeverCreatesIt() throws Exception {
        final String registry = "_onepipe_metadata_read_only";

        assertEquals(0, execute(registry, "metadata", "list"), err.toString());
        assertTrue(out.toString().contains("0 dataset(s)"), out.toString());
        assertEquals(0, execute(registry, "metadata", "list", "--subjects"), err.toString());
        assertEquals(2, execute(registry, "metadata", "show", "gadgets"));
        assertTrue(err.toString().contains("Dataset 'gadgets' is not registered"), err.toString());

        assertFalse(exists(registry), "a read created the registry");
    }

    @Test
    void anEmptyRegistryStartsAboveTheIdsRecordsOnTheTopicsCarry() throws Exception {
        final String registry = "_onepipe_metadata_lost";
        final Path schema = Files.writeString(folder.resolve("gadget.avsc"), SCHEMA);
        final Path gadgets = Files.writeString(folder.resolve("gadgets.json"),
            "{\"name\": \"gadgets\", \"uniqueKey\": [\"gadget_id\"], \"eventTimeField\": \"updated_at\","
                + " \"topicSettings\": {\"partitions\": 2}}");
        final Path widgets = Files.writeString(folder.resolve("doodads.json"),
            "{\"name\": \"doodads\", \"uniqueKey\": [\"gadget_id\"], \"eventTimeField\": \"updated_at\"}");
        assertEquals(0, execute(registry, "metadata", "register", "--metadata", gadgets.toString(), "--schema", schema.toString()),
            err.toString());
        final Path lines = Files.writeString(folder.resolve("gadgets.jsonl"),
            "{\"gadget_id\": \"g-1\", \"updated_at\": 0}\n{\"gadget_id\": \"g-2\", \"updated_at\": 0}\n");
        assertEquals(0, execute(registry, "produce", "--dataset", "gadgets", "--json", lines.toString()), out + "\n" + err);
        final int carried = highestIdOn("gadgets", 2);
        assertEquals(1, carried, "the records carry the first id the registry gave");

        RUNTIME.admin().deleteTopics(List.of(registry)).all().get(1, TimeUnit.MINUTES);
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (exists(registry) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(0, execute(registry, "metadata", "list"), err.toString());
        assertFalse(exists(registry), "metadata list re-created the deleted registry");

        assertEquals(0, execute(registry, "metadata", "register", "--metadata", widgets.toString(), "--schema", schema.toString()),
            err.toString());
        assertTrue(out.toString().contains("subject doodads-value version 1 id " + (carried + 1) + " (new)"), out.toString());
    }

    @Test
    void aDeletedDatasetIsNoLongerListedAsRegistered() throws Exception {
        final String registry = "_onepipe_metadata_deletes";
        final Path schema = Files.writeString(folder.resolve("d.avsc"), SCHEMA);
        for (final String name : List.of("d1", "d2")) {
            final Path metadata = Files.writeString(folder.resolve(name + ".json"),
                "{\"name\": \"" + name + "\", \"uniqueKey\": [\"gadget_id\"], \"eventTimeField\": \"updated_at\"}");
            assertEquals(0, execute(registry, "metadata", "register", "--metadata", metadata.toString(), "--schema", schema.toString()),
                err.toString());
        }
        assertEquals(0, execute(registry, "metadata", "delete", "--dataset", "d1"), err.toString());

        assertEquals(2, execute(registry, "run", "archive", "--dataset", "d1"));

        assertTrue(err.toString().contains("Dataset 'd1' is not registered; registered datasets: d2."), err.toString());
    }

    private static int highestIdOn(final String topic, final int expected) {
        int highest = 0;
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "group.id", "registry-id-reuse-it", "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read < expected && System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    final byte[] value = record.value();
                    assertEquals(0, value[0], "wire format magic byte");
                    highest = Math.max(highest, ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF));
                    read++;
                }
            }
        }
        assertEquals(expected, read);
        return highest;
    }
}
