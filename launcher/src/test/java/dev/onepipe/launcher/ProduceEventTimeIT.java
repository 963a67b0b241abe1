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

/**
 * {@code onepipe produce --json} stamps each record with its dataset's event time, as {@code --generate} does, so a
 * backfill lands under its own dates in the archive and {@code replay --from/--to} selects it by them.
 */
class ProduceEventTimeIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final String SCHEMA = "{\"type\": \"record\", \"name\": \"Reading\", \"fields\": ["
        + "{\"name\": \"reading_id\", \"type\": \"string\"},"
        + "{\"name\": \"taken_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}}]}";
    private static final String METADATA = "{\"name\": \"readings\", \"uniqueKey\": [\"reading_id\"],"
        + " \"eventTimeField\": \"taken_at\"}";

    @TempDir
    Path folder;

    private final StringWriter out = new StringWriter();

    private int execute(final String... arguments) {
        final CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(out));
        final List<String> withBroker = new ArrayList<>(List.of(arguments));
        withBroker.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers()));
        return commandLine.execute(withBroker.toArray(new String[0]));
    }

    @Test
    void jsonRecordsCarryTheirEventTimeAsTheirKafkaTimestamp() throws Exception {
        final Path schema = Files.writeString(folder.resolve("reading.avsc"), SCHEMA);
        final Path metadata = Files.writeString(folder.resolve("readings.json"), METADATA);
        assertEquals(0, execute("metadata", "register", "--metadata", metadata.toString(), "--schema", schema.toString()),
            out.toString());
        assertTrue(out.toString().contains("created topic readings (4 partitions"), "registration creates the topic: " + out);
        final Path lines = Files.writeString(folder.resolve("readings.jsonl"), String.join("\n",
            "{\"reading_id\": \"r-1\", \"taken_at\": \"2024-05-01T12:00:00Z\"}",
            "",
            "{\"reading_id\": \"r-2\", \"taken_at\": \"2026-11-29T10:00:00\"}",
            "   ",
            "{\"reading_id\": \"r-3\", \"taken_at\": 5}"));

        assertEquals(0, execute("produce", "--dataset", "readings", "--json", lines.toString()), out.toString());

        assertTrue(out.toString().contains("produced 3 record(s) to dataset readings, 0 failed, 5 line(s) read,"
            + " 2 blank line(s) skipped"), out.toString());
        // 2024-05-01T12:00:00Z = 19844 days × 86,400,000 + 12 h; 2026-11-29T10:00:00 (UTC) = 20786 days × 86,400,000 + 10 h
        assertEquals(List.of("r-1@" + (19_844L * 86_400_000L + 43_200_000L), "r-2@" + (20_786L * 86_400_000L + 36_000_000L),
            "r-3@5"), keyedTimestamps("readings", 3));
    }

    private static List<String> keyedTimestamps(final String topic, final int expected) {
        final List<String> stamps = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", RUNTIME.bootstrapServers(), "group.id", "produce-event-time-it",
                "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (stamps.size() < expected && System.nanoTime() < deadline) {
                for (final ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    stamps.add(record.key() + "@" + record.timestamp());
                }
            }
        }
        return stamps;
    }
}
