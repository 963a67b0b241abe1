package dev.onepipe.core.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.onepipe.core.deadletter.DeadLetter;
import dev.onepipe.core.testkit.DatasetInputTopic;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/** {@link Ingest#readingNewestVersion()}: a compatible schema version registered while the topology runs is followed. */
class NewestVersionIngestTest {

    private static final Instant TIME = Instant.parse("2024-01-01T08:00:00Z");
    private static final Schema V1 = SampleDatasets.schema(SampleDatasets.WIDGETS);
    /** Version 2 adds {@code colour} with the default "grey" (a compatible change under BACKWARD). */
    private static final Schema V2 = new Schema.Parser().parse(V1.toString().replace("\"fields\":[",
            "\"fields\":[{\"name\":\"colour\",\"type\":\"string\",\"default\":\"grey\"},"));

    /** Writes "colour widget_id" per record read ("-" when the record's schema has no colour), or "tombstone". */
    private static OnepipeTestDriver driver(Ingest ingest, AtomicReference<NewestVersionSerde> serde) {
        return OnepipeTestDriver.builder("newest-version", (builder, context) -> {
                    DatasetStreams datasets = DatasetStreams.of(builder, context);
                    serde.set(datasets.newestVersionSerde("widgets"));
                    datasets.stream("widgets", ingest)
                            .mapValues(widget -> widget == null ? "tombstone"
                                    : (widget.getSchema().getField("colour") == null ? "-" : widget.get("colour").toString()) + " " + widget.get("widget_id"))
                            .to("read", Produced.with(Serdes.String(), Serdes.String()));
                })
                .registerDatasetResources("onepipe/datasets/widgets.json", "onepipe/datasets/widgets.avsc")
                .dataset("widgets")
                .set(DatasetStreams.UNKNOWN_SCHEMA_WAIT_MS, 10)
                .build();
    }

    private static List<String> read(OnepipeTestDriver driver) {
        return driver.testDriver().createOutputTopic("read", new StringDeserializer(), new StringDeserializer()).readValuesToList();
    }

    /** A widget of {@code schema} with hand-written values; {@code colour} is set when the schema has it. */
    private static GenericRecord widget(Schema schema, String id, String colour) {
        GenericRecord widget = new GenericData.Record(schema);
        widget.put("widget_id", id);
        widget.put("version", 1L);
        widget.put("updated_at", TIME.toEpochMilli());
        widget.put("name", "Blue Valve");
        widget.put("price", 12.5);
        widget.put("status", new GenericData.EnumSymbol(schema.getField("status").schema(), "ACTIVE"));
        widget.put("tags", List.of());
        widget.put("description", null);
        if (colour != null) {
            widget.put("colour", colour);
        }
        return widget;
    }

    @Test
    void aVersionRegisteredWhileRunningIsReadFromItsFirstRecordOnAndEarlierRecordsGetItsDefaults() {
        AtomicReference<NewestVersionSerde> serde = new AtomicReference<>();
        try (OnepipeTestDriver driver = driver(Ingest.named("widgets").readingNewestVersion(), serde)) {
            DatasetInputTopic widgets = driver.input("widgets");
            GenericRecord before = widget(V1, "w-1", null);
            widgets.pipe(before, TIME);
            assertEquals(V1, serde.get().currentSchema(), "built on version 1");

            driver.registerDatasetSchema("widgets", V2);
            widgets.pipe(widget(V1, "w-2", null), TIME.plusSeconds(1));
            widgets.pipe(widget(V2, "w-3", "red"), TIME.plusSeconds(2));
            widgets.pipe(widget(V1, "w-4", null), TIME.plusSeconds(3));

            // until a version-2 record arrives the reader is version 1; from it on, version-1 records get the default
            assertEquals(List.of("- w-1", "- w-2", "red w-3", "grey w-4"), read(driver));
            assertEquals(V2, serde.get().currentSchema());
            GenericRecord upgraded = serde.get().upgrade(before);
            assertEquals(V2, upgraded.getSchema());
            assertEquals("grey", upgraded.get("colour").toString());
            assertEquals("w-1", upgraded.get("widget_id").toString());
            assertTrue(driver.deadLetters("widgets").isEmpty());
        }
    }

    @Test
    void anUnknownSchemaIdAndATombstoneGoToTheDeadLettersWithTheirReasonsUnlessTombstonesAreKept() {
        byte[] unknownId = ByteBuffer.allocate(7).put((byte) 0).putInt(Integer.MAX_VALUE).put(new byte[] {0x02, 0x61}).array();
        byte[] key = "w-9".getBytes(StandardCharsets.UTF_8);
        try (OnepipeTestDriver driver = driver(Ingest.named("widgets").readingNewestVersion(), new AtomicReference<>())) {
            DatasetInputTopic widgets = driver.input("widgets");
            widgets.pipeBytes(key, unknownId, TIME);
            widgets.pipeBytes(key, null, TIME.plusSeconds(1));
            widgets.pipe(widget(V1, "w-1", null), TIME.plusSeconds(2));

            assertEquals(List.of("- w-1"), read(driver), "the good record after the bad ones still arrives");
            List<DeadLetter> deadLetters = driver.deadLetters("widgets");
            assertEquals(List.of("UNKNOWN_SCHEMA_ID", "NULL_VALUE"), deadLetters.stream().map(DeadLetter::reason).toList());
            assertArrayEquals(unknownId, deadLetters.get(0).value());
            assertEquals(2, DroppedRecordMetrics.total(driver.metrics(), "widgets", DroppedRecordMetrics.CORRUPT));
        }
        try (OnepipeTestDriver driver = driver(Ingest.named("widgets").readingNewestVersion().keepingTombstones(), new AtomicReference<>())) {
            driver.input("widgets").pipeBytes(key, null, TIME);

            List<KeyValue<String, String>> read = driver.testDriver().createOutputTopic("read", new StringDeserializer(), new StringDeserializer())
                    .readKeyValuesToList();
            assertEquals(List.of(KeyValue.pair("w-9", "tombstone")), read);
            assertTrue(driver.deadLetters("widgets").isEmpty());
        }
    }

    @Test
    void theNewestVersionReadsEveryFieldSoItRefusesAProjection() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Ingest.named("widgets").fields(List.of("widget_id")).readingNewestVersion());
        assertTrue(refused.getMessage().contains("reads every field"), refused.getMessage());
    }
}
