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
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.deadletter.DeadLetter;
import dev.onepipe.core.deadletter.DeadLetterException;
import dev.onepipe.core.deadletter.DeadLetterPayload;
import dev.onepipe.core.deadletter.DeadLetterStage;
import dev.onepipe.core.deadletter.DeadLetters;
import dev.onepipe.core.testkit.DatasetInputTopic;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import dev.onepipe.example.WidgetPrice;
import dev.onepipe.metadata.serde.DatasetSerializer;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Reading and writing registered datasets in a topology, and where bad records go. */
class DatasetStreamsTest {

    private static final Instant TIME = Instant.parse("2024-01-01T08:00:00Z");
    private static final String WIDGET = "{\"widget_id\": \"widget-000001\", \"version\": 1, \"updated_at\": 1704096000000,"
            + " \"name\": \"Blue Valve\", \"price\": 12.5, \"status\": \"ACTIVE\", \"tags\": [], \"description\": null}";

    /** The metadata of widgets-copy: widgets under another name, topic and subject. */
    private static String copyMetadataJson() {
        return SampleDatasets.metadataJson(SampleDatasets.WIDGETS)
                .replace("\"name\": \"widgets\"", "\"name\": \"widgets-copy\"")
                .replace("\"topic\": \"widgets\"", "\"topic\": \"widgets-copy\"")
                .replace("\"valueSubject\": \"widgets-value\"", "\"valueSubject\": \"widgets-copy-value\"");
    }

    private static OnepipeTestDriver driver(BiConsumer<StreamsBuilder, TopologyContext> topology) {
        return OnepipeTestDriver.builder("dataset-streams-test", topology)
                .registerDatasetResources("onepipe/datasets/widgets.json", "onepipe/datasets/widgets.avsc")
                .registerDatasetResources("datasets/widget-prices.json", "datasets/widget-prices.avsc")
                .registerDataset(copyMetadataJson(), SampleDatasets.schema(SampleDatasets.WIDGETS).toString())
                .registerDataset("{\"name\": \"widget-prices-copy\", \"uniqueKey\": [\"widget_id\"]}", WidgetPrice.SCHEMA$.toString())
                .dataset("widgets")
                .set(DatasetStreams.UNKNOWN_SCHEMA_WAIT_MS, 10)
                .build();
    }

    /** Projects widgets to widget prices; {@code name} is left out when asked, which the schema does not allow. */
    private static BiConsumer<StreamsBuilder, TopologyContext> projection(boolean withName) {
        return (builder, context) -> {
            DatasetStreams datasets = DatasetStreams.of(builder, context);
            Schema priceSchema = datasets.schema("widget-prices");
            datasets.to(datasets.stream("widgets").mapValues(widget -> {
                GenericRecord price = new GenericData.Record(priceSchema);
                price.put("widget_id", widget.get("widget_id"));
                price.put("version", widget.get("version"));
                price.put("name", withName ? widget.get("name") : null);
                price.put("price", widget.get("price"));
                price.put("updated_at", widget.get("updated_at"));
                return price;
            }), "widget-prices");
        };
    }

    private static byte[] framed(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    }

    @Test
    void unreadableRecordsGoToTheDeadLetterTopicWithTheirReasonAndBytesAndAreCounted() {
        try (OnepipeTestDriver driver = driver(projection(true))) {
            DatasetInputTopic widgets = driver.input("widgets");
            int registeredId = driver.catalog().latestSchemaForDataset("widgets").orElseThrow().id();
            byte[] garbage = {0x42, 0x13};
            byte[] unknownId = framed(Integer.MAX_VALUE, new byte[] {0x02, 0x61});
            byte[] truncated = framed(registeredId, new byte[] {0x1a, 0x77});
            widgets.pipeBytes("a".getBytes(StandardCharsets.UTF_8), garbage, TIME);
            widgets.pipeBytes("b".getBytes(StandardCharsets.UTF_8), unknownId, TIME);
            widgets.pipeBytes("c".getBytes(StandardCharsets.UTF_8), truncated, TIME.plusSeconds(1));
            widgets.pipeBytes("d".getBytes(StandardCharsets.UTF_8), unknownId, TIME.plusSeconds(2));
            widgets.pipeJson(WIDGET, TIME.plusSeconds(3));

            List<DeadLetter> deadLetters = driver.deadLetters("widgets");
            assertEquals(List.of("WRONG_MAGIC_BYTE", "UNKNOWN_SCHEMA_ID", "TRUNCATED", "UNKNOWN_SCHEMA_ID"),
                    deadLetters.stream().map(DeadLetter::reason).toList());
            assertArrayEquals(garbage, deadLetters.get(0).value());
            assertArrayEquals(unknownId, deadLetters.get(1).value());
            assertArrayEquals(truncated, deadLetters.get(2).value());
            assertArrayEquals("c".getBytes(StandardCharsets.UTF_8), deadLetters.get(2).key());
            assertEquals(TIME.plusSeconds(1).toEpochMilli(), deadLetters.get(2).timestamp());
            assertEquals(Optional.of("widgets"), deadLetters.get(2).sourceTopic());
            assertEquals(OptionalInt.of(0), deadLetters.get(2).sourcePartition());
            assertEquals(OptionalLong.of(2), deadLetters.get(2).sourceOffset());
            assertEquals(DeadLetterStage.DESERIALIZATION, deadLetters.get(2).stage());
            assertEquals(4, driver.deadLetterCount());
            assertEquals(List.of("widget-000001"), driver.output("widget-prices").readKeyValuesToList().stream()
                    .map(keyValue -> keyValue.key).toList(), "the good record after the bad ones still arrives");
        }
    }

    @Test
    void aRecordInvalidForTheOutputSchemaGoesToItsInputsDeadLetterTopicWithTheInputBytes() {
        try (OnepipeTestDriver driver = driver(projection(false))) {
            DatasetInputTopic widgets = driver.input("widgets");
            GenericRecord widget = widgets.record(WIDGET);
            byte[] inputBytes = new DatasetSerializer<>(driver.catalog(), "widgets").serialize("widgets", widget);
            widgets.pipeBytes("widget-000001".getBytes(StandardCharsets.UTF_8), inputBytes, TIME);

            assertTrue(driver.output("widget-prices").isEmpty());
            List<DeadLetter> deadLetters = driver.deadLetters("widgets");
            assertEquals(1, deadLetters.size());
            DeadLetter deadLetter = deadLetters.get(0);
            assertEquals("INVALID_FOR_SCHEMA", deadLetter.reason());
            assertEquals(Optional.of("name"), deadLetter.header("onepipe.dlq.field"));
            assertEquals(DeadLetterStage.SERIALIZATION, deadLetter.stage());
            assertEquals(DeadLetterPayload.SOURCE_RECORD, deadLetter.payload());
            assertEquals(Optional.of("widget-prices"), deadLetter.targetTopic());
            assertArrayEquals(inputBytes, deadLetter.value());
            assertEquals(1, driver.deadLetterCount());
        }
    }

    @Test
    void aRecordOfAnUnregisteredSchemaIsRefused() {
        Schema unregistered = SchemaBuilder.record("WidgetPrice").namespace("dev.onepipe.example").fields()
                .requiredString("widget_id").endRecord();
        try (OnepipeTestDriver driver = driver((builder, context) -> {
            DatasetStreams datasets = DatasetStreams.of(builder, context);
            datasets.to(datasets.stream("widgets").mapValues(widget -> {
                GenericRecord other = new GenericData.Record(unregistered);
                other.put("widget_id", widget.get("widget_id"));
                return other;
            }), "widget-prices");
        })) {
            driver.input("widgets").pipeJson(WIDGET, TIME);

            assertEquals(List.of("UNREGISTERED_SCHEMA"), driver.deadLetters("widgets").stream().map(DeadLetter::reason).toList());
        }
    }

    @Test
    void recordsWrittenWithAnOlderSchemaAreReadAsTheLatest() {
        Schema widgets = SampleDatasets.schema(SampleDatasets.WIDGETS);
        Schema withColour = new Schema.Parser().parse(widgets.toString().replace("\"fields\":[",
                "\"fields\":[{\"name\":\"colour\",\"type\":\"string\",\"default\":\"grey\"},"));
        try (OnepipeTestDriver driver = OnepipeTestDriver.builder("evolution", (builder, context) -> {
                    DatasetStreams datasets = DatasetStreams.of(builder, context);
                    datasets.to(datasets.stream("widgets").filter((id, widget) -> widget.get("colour").toString().equals("grey")), "widgets-copy");
                })
                .registerDatasetResources("onepipe/datasets/widgets.json", "onepipe/datasets/widgets.avsc")
                .registerDatasetSchema("widgets", withColour)
                .registerDataset(copyMetadataJson(), withColour.toString())
                .dataset("widgets")
                .build()) {
            GenericRecord firstVersion = new GenericData.Record(widgets);
            GenericRecord fromJson = driver.input("widgets").record(WIDGET.replace("\"version\": 1,", "\"version\": 1, \"colour\": \"red\","));
            for (Schema.Field field : widgets.getFields()) {
                firstVersion.put(field.name(), fromJson.get(field.name()));
            }
            driver.input("widgets").pipe(firstVersion, TIME);

            GenericRecord copy = driver.output("widgets-copy").readValue();
            assertEquals("grey", copy.get("colour").toString(), "the field the writer did not know takes its default");
            assertEquals("Blue Valve", copy.get("name").toString());
        }
    }

    @Test
    void specificRecordClassesAreReadAndWritten() {
        try (OnepipeTestDriver driver = driver((builder, context) -> {
            DatasetStreams datasets = DatasetStreams.of(builder, context);
            projection(true).accept(builder, context);
            KStream<String, WidgetPrice> prices = datasets.stream("widget-prices", WidgetPrice.class);
            datasets.to(prices.mapValues(price -> new WidgetPrice(price.widgetId(), 2, "Discounted", price.price() / 2, TIME)), "widget-prices-copy");
        })) {
            driver.input("widgets").pipeJson(WIDGET, TIME);

            GenericRecord discounted = driver.output("widget-prices-copy").readValue();
            assertEquals(6.25, discounted.get("price"));
            assertEquals("Discounted", discounted.get("name").toString());
            assertEquals(TIME.toEpochMilli(), discounted.get("updated_at"));
            assertTrue(driver.deadLetters("widget-prices").isEmpty());
        }
    }

    @Test
    void rekeyingUsesTheDatasetsUniqueKeyAndRepartitioningItsSerdes() {
        try (OnepipeTestDriver driver = driver((builder, context) -> {
            DatasetStreams datasets = DatasetStreams.of(builder, context);
            KStream<String, GenericRecord> byName = datasets.stream("widgets").selectKey((id, widget) -> widget.get("name").toString());
            datasets.to(datasets.rekeyByUniqueKey(byName, "widgets").repartition(datasets.repartitioned("widgets").withName("by-widget")),
                    "widgets-copy");
        })) {
            driver.input("widgets").pipe("not-the-key", driver.input("widgets").record(WIDGET), TIME);

            KeyValue<String, GenericRecord> rekeyed = driver.output("widgets-copy").readKeyValue();
            assertEquals("widget-000001", rekeyed.key);
        }
    }

    @Test
    void failuresInTheTopologysOwnLogicAreDeadLetteredOnlyWhenItSaysSo() {
        BiConsumer<StreamsBuilder, TopologyContext> parsing = (builder, context) -> {
            DatasetStreams datasets = DatasetStreams.of(builder, context);
            datasets.to(datasets.stream("widgets").mapValues(DeadLetters.onFailure("UNPARSEABLE_NAME", widget -> {
                Integer.parseInt(widget.get("name").toString());
                return widget;
            })), "widgets-copy");
        };
        try (OnepipeTestDriver driver = driver(parsing)) {
            driver.input("widgets").pipeJson(WIDGET, TIME);

            DeadLetter deadLetter = driver.deadLetters("widgets").get(0);
            assertEquals("UNPARSEABLE_NAME", deadLetter.reason());
            assertTrue(deadLetter.message().contains("NumberFormatException"), deadLetter.message());
            assertEquals(DeadLetterStage.PROCESSING, deadLetter.stage());
        }
        try (OnepipeTestDriver driver = driver((builder, context) -> DatasetStreams.of(builder, context).stream("widgets")
                .foreach((id, widget) -> Integer.parseInt(widget.get("name").toString())))) {
            assertThrows(StreamsException.class, () -> driver.input("widgets").pipeJson(WIDGET, TIME),
                    "a bug fails the application as in plain Kafka Streams");
            assertTrue(driver.deadLetters("widgets").isEmpty());
        }
    }

    @Test
    void aDatasetThatIsNotRegisteredIsReportedWhenTheTopologyIsBuilt() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> driver((builder, context) -> DatasetStreams.of(builder, context).stream("gadgets")));
        assertTrue(failure.getMessage().contains("Dataset 'gadgets' is not registered"), failure.getMessage());
    }

    @Test
    void aRejectionCarriesItsOwnReason() {
        DeadLetterException rejection = new DeadLetterException("NEGATIVE_PRICE", "price -1 is below zero");
        assertEquals(Optional.of(rejection), DeadLetterException.in(new StreamsException(new RuntimeException(rejection))));
    }

    @Test
    void anIngestReadsOnlyTheNamedFieldsInEventTimeAndCountsWhatItCannotRead() {
        try (OnepipeTestDriver driver = driver((builder, context) -> DatasetStreams.of(builder, context)
                .stream("widgets", Ingest.named("widget-ids").fields(List.of("widget_id")).inEventTime())
                .mapValues(widget -> widget.getSchema().getFields().size() + " " + widget.get("widget_id"))
                .to("ingested", Produced.with(Serdes.String(),
                        Serdes.String())))) {
            DatasetInputTopic widgets = driver.input("widgets");
            Instant producedAt = Instant.parse("2024-06-01T00:00:00Z");
            widgets.pipeJson(WIDGET, producedAt);
            widgets.pipeBytes("widget-000002".getBytes(StandardCharsets.UTF_8), new byte[] {0x7f, 0x01}, producedAt);
            widgets.pipeJson(WIDGET.replace("1704096000000", "-1000"), producedAt);

            List<TestRecord<String, String>> ingested = driver.testDriver().createOutputTopic("ingested",
                    new StringDeserializer(), new StringDeserializer())
                    .readRecordsToList();
            // widget_id and the event-time field updated_at are decoded; the record time is updated_at (2024-01-01T08:00:00Z)
            assertEquals(List.of("2 widget-000001"), ingested.stream().map(TestRecord::value).toList());
            assertEquals(TIME, ingested.get(0).getRecordTime());
            List<DeadLetter> deadLetters = driver.deadLetters("widgets");
            assertEquals(List.of("WRONG_MAGIC_BYTE", "EVENT_TIME_OUT_OF_RANGE"), deadLetters.stream().map(DeadLetter::reason).toList());
            assertArrayEquals(new byte[] {0x7f, 0x01}, deadLetters.get(0).value());
            assertEquals(2, DroppedRecordMetrics.total(driver.metrics(), "widget-ids", DroppedRecordMetrics.CORRUPT));
        }
    }
}
