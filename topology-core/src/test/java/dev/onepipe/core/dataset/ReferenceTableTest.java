package dev.onepipe.core.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.onepipe.core.deadletter.DeadLetter;
import dev.onepipe.core.deadletter.DeadLetterPayload;
import dev.onepipe.core.deadletter.DeadLetterStage;
import dev.onepipe.core.testkit.DatasetInputTopic;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/** {@link DatasetStreams#referenceTable}: reference data joined to a stream, and where an unreadable reference record goes. */
class ReferenceTableTest {

    private static final Instant TIME = Instant.parse("2024-01-01T08:00:00Z");
    private static final String WIDGET = "{\"widget_id\": \"w-1\", \"version\": 1, \"updated_at\": 1704096000000,"
            + " \"name\": \"Blue Valve\", \"price\": 12.5, \"status\": \"ACTIVE\", \"tags\": [], \"description\": null}";
    private static final String PRICE = "{\"widget_id\": \"w-1\", \"version\": 1, \"name\": \"any\", \"price\": 2.5, \"updated_at\": 1704096000000}";

    /** Joins each widget price to the widgets reference table by widget id: "id name fields" or "id -" without a match. */
    private static OnepipeTestDriver driver(Ingest reference) {
        return OnepipeTestDriver.builder("reference-table-test", (builder, context) -> {
                    DatasetStreams datasets = DatasetStreams.of(builder, context);
                    ReferenceTable widgets = datasets.referenceTable("widgets", reference);
                    widgets.leftJoin(datasets.stream("widget-prices"), (id, price) -> price.get("widget_id").toString(),
                                    (price, widget) -> price.get("widget_id") + " " + (widget == null ? "-" : widget.get("name") + " " + widget.getSchema().getFields().size()),
                                    Named.as("join-widget"))
                            .to("joined", Produced.with(Serdes.String(), Serdes.String()));
                })
                .registerDatasetResources("onepipe/datasets/widgets.json", "onepipe/datasets/widgets.avsc")
                .registerDatasetResources("datasets/widget-prices.json", "datasets/widget-prices.avsc")
                .dataset("widget-prices")
                .set(DatasetStreams.UNKNOWN_SCHEMA_WAIT_MS, 10)
                .build();
    }

    private static List<String> joined(OnepipeTestDriver driver) {
        return driver.testDriver().createOutputTopic("joined", new StringDeserializer(), new StringDeserializer()).readValuesToList();
    }

    private static void pipePrice(OnepipeTestDriver driver, String widgetId, Instant time) {
        driver.input("widget-prices").pipeJson(PRICE.replace("w-1", widgetId), time);
    }

    @Test
    void aStreamIsJoinedToTheReferenceRecordOfItsKeyAndATombstoneRemovesIt() {
        try (OnepipeTestDriver driver = driver(Ingest.named("widget-names"))) {
            driver.input("widgets").pipeJson(WIDGET, TIME);
            pipePrice(driver, "w-1", TIME.plusSeconds(1));
            pipePrice(driver, "w-2", TIME.plusSeconds(2));
            driver.input("widgets").pipeBytes("w-1".getBytes(StandardCharsets.UTF_8), null, TIME.plusSeconds(3));
            pipePrice(driver, "w-1", TIME.plusSeconds(4));

            // widgets have 8 fields; w-2 was never in the table; the tombstone removed w-1
            assertEquals(List.of("w-1 Blue Valve 8", "w-2 -", "w-1 -"), joined(driver));
            assertTrue(driver.deadLetters("widgets").isEmpty());
        }
    }

    @Test
    void aLookupDecodesOnlyTheIngestsFields() {
        try (OnepipeTestDriver driver = driver(Ingest.named("widget-names").fields(List.of("name")))) {
            driver.input("widgets").pipeJson(WIDGET, TIME);
            pipePrice(driver, "w-1", TIME.plusSeconds(1));

            assertEquals(List.of("w-1 Blue Valve 1"), joined(driver));
        }
    }

    @Test
    void anUnreadableReferenceRecordKeepsTheKeysValueIsCountedAndGoesToTheDeadLettersWithItsReason() {
        byte[] garbage = {0x42, 0x13};
        byte[] unknownId = ByteBuffer.allocate(7).put((byte) 0).putInt(Integer.MAX_VALUE).put(new byte[] {0x02, 0x61}).array();
        try (OnepipeTestDriver driver = driver(Ingest.named("widget-names"))) {
            DatasetInputTopic widgets = driver.input("widgets");
            widgets.pipeJson(WIDGET, TIME);
            widgets.pipeBytes("w-1".getBytes(StandardCharsets.UTF_8), garbage, TIME.plusSeconds(1));
            widgets.pipeBytes("w-2".getBytes(StandardCharsets.UTF_8), unknownId, TIME.plusSeconds(2));
            pipePrice(driver, "w-1", TIME.plusSeconds(3));
            pipePrice(driver, "w-2", TIME.plusSeconds(4));

            assertEquals(List.of("w-1 Blue Valve 8", "w-2 -"), joined(driver), "w-1 keeps its earlier value; w-2 has none");
            List<DeadLetter> deadLetters = driver.deadLetters("widgets");
            assertEquals(List.of("WRONG_MAGIC_BYTE", "UNKNOWN_SCHEMA_ID"), deadLetters.stream().map(DeadLetter::reason).toList());
            DeadLetter first = deadLetters.get(0);
            assertArrayEquals(garbage, first.value());
            assertArrayEquals("w-1".getBytes(StandardCharsets.UTF_8), first.key());
            assertEquals(TIME.plusSeconds(1).toEpochMilli(), first.timestamp());
            assertEquals(Optional.of("widgets"), first.sourceTopic());
            assertEquals(OptionalLong.of(1), first.sourceOffset());
            assertEquals(DeadLetterStage.DESERIALIZATION, first.stage());
            assertEquals(DeadLetterPayload.SOURCE_RECORD, first.payload());
            assertArrayEquals(unknownId, deadLetters.get(1).value());
            assertEquals(2, DroppedRecordMetrics.total(driver.metrics(), "widget-names", DroppedRecordMetrics.CORRUPT));
        }
    }

    @Test
    void aReferenceTableTakesANameAndFieldsOnly() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> driver(Ingest.named("widget-names").inEventTime()));
        assertTrue(refused.getMessage().contains("takes a name and fields only"), refused.getMessage());
    }
}
