package dev.onepipe.metadata.serde;

import static dev.onepipe.metadata.TestRegistry.WIDGETS_V2;
import static dev.onepipe.metadata.TestRegistry.register;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.RegistrationPlan;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.TestRegistry;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DatasetSerdeTest {

    private static final String TOPIC = "widgets";
    private static final Duration NO_WAIT = Duration.ZERO;

    private MetadataCatalog catalog;
    private Schema v1;
    private Schema v2;

    @BeforeEach
    void registerWidgets() {
        catalog = TestRegistry.catalogWithWidgets();
        register(catalog, RegistrationRequest.datasetSchema("widgets", WIDGETS_V2));
        v1 = catalog.schemaById(1).orElseThrow().schema();
        v2 = catalog.schemaById(2).orElseThrow().schema();
    }

    private static GenericRecord widget(final Schema schema, final String id, final long version) {
        final GenericRecord record = new GenericData.Record(schema);
        record.put("widget_id", id);
        record.put("name", "Widget " + id);
        record.put("price", 9.5);
        record.put("version", version);
        record.put("updated_at", 1_714_564_800_000L);
        if (schema.getField("color") != null) {
            record.put("color", "green");
        }
        return record;
    }

    private static byte[] plainAvro(final Schema schema, final GenericRecord record) throws Exception {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(output, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return output.toByteArray();
    }

    private WireFormatException readFailure(final byte[] value) {
        return assertThrows(WireFormatException.class,
            () -> DatasetDeserializer.readingLatest(catalog, "widgets", NO_WAIT).deserialize(TOPIC, value));
    }

    private WireFormatException writeFailure(final GenericRecord record) {
        return assertThrows(WireFormatException.class,
            () -> new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, record));
    }

    @Test
    void headerIsMagicByteThenBigEndianIdThenPlainAvroBinary() throws Exception {
        final GenericRecord record = widget(v1, "w-1", 3);
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, record);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 1}, Arrays.copyOf(value, 5));
        assertArrayEquals(plainAvro(v1, record), Arrays.copyOfRange(value, 5, value.length));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 2}, WireFormat.header(258));
        assertArrayEquals(new byte[] {0, 0x12, 0x34, 0x56, 0x78}, WireFormat.header(0x12345678));
        assertEquals(0x12345678, WireFormat.schemaId(WireFormat.header(0x12345678)));
    }

    @Test
    void writesWithTheVersionOfTheRecordsOwnSchema() {
        final DatasetSerializer<GenericRecord> serializer = new DatasetSerializer<>(catalog, "widgets");
        assertEquals(2, serializer.serialize(TOPIC, widget(v2, "w-1", 1))[4]);
        assertEquals(1, serializer.serialize(TOPIC, widget(v1, "w-1", 1))[4]);
        final Schema separatelyParsed = TestRegistry.parse(WIDGETS_V2.replace("\"type\": \"record\"",
            "\"doc\": \"parsed elsewhere\", \"type\": \"record\""));
        assertEquals(2, serializer.serialize(TOPIC, widget(separatelyParsed, "w-1", 1))[4]);
    }

    @Test
    void readsOldDataAsTheNewVersionFillingDefaults() {
        final Serde<GenericRecord> serde = DatasetSerdes.generic(catalog, "widgets", 2);
        final byte[] value = serde.serializer().serialize(TOPIC, widget(v1, "w-7", 4));
        final GenericRecord read = serde.deserializer().deserialize(TOPIC, value);
        assertEquals(v2, read.getSchema());
        assertEquals("w-7", read.get("widget_id").toString());
        assertEquals(4L, read.get("version"));
        assertEquals("unpainted", read.get("color").toString());
    }

    @Test
    void readsNewDataAsTheOldVersionDroppingTheNewField() {
        final Serde<GenericRecord> serde = DatasetSerdes.generic(catalog, "widgets", 1);
        final GenericRecord read = serde.deserializer().deserialize(TOPIC,
            serde.serializer().serialize(TOPIC, widget(v2, "w-8", 5)));
        assertEquals(v1, read.getSchema());
        assertNull(read.getSchema().getField("color"));
        assertEquals(9.5, read.get("price"));
    }

    @Test
    void aProjectionReadsOnlyItsFieldsOfDataOfEveryVersion() {
        final DatasetSerializer<GenericRecord> serializer = new DatasetSerializer<>(catalog, "widgets");
        final DatasetDeserializer<GenericRecord> projection =
            DatasetDeserializer.readingProjection(catalog, "widgets", List.of("version", "color", "widget_id"), NO_WAIT);

        final GenericRecord fromV1 = projection.deserialize(TOPIC, serializer.serialize(TOPIC, widget(v1, "w-1", 3)));
        final GenericRecord fromV2 = projection.deserialize(TOPIC, serializer.serialize(TOPIC, widget(v2, "w-2", 4)));

        assertEquals(List.of("version", "color", "widget_id"), fromV1.getSchema().getFields().stream().map(Schema.Field::name).toList());
        assertEquals(3L, fromV1.get("version"));
        assertEquals("unpainted", fromV1.get("color").toString(), "a field v1 lacks gets v2's default");
        assertEquals("w-1", fromV1.get("widget_id").toString());
        assertEquals(4L, fromV2.get("version"));
        assertEquals("green", fromV2.get("color").toString());
        assertEquals("w-2", fromV2.get("widget_id").toString());
    }

    @Test
    void aProjectionOfAFieldTheSchemaLacksNamesIt() {
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, widget(v2, "w-3", 1));
        final WireFormatException failure = assertThrows(WireFormatException.class, () -> DatasetDeserializer
            .<GenericRecord>readingProjection(catalog, "widgets", List.of("widget_id", "weight"), NO_WAIT).deserialize(TOPIC, value));
        assertTrue(failure.getMessage().contains("'weight'"), failure.getMessage());
    }

    @Test
    void latestIsChosenOnFirstUseAndThenKept() {
        final DatasetDeserializer<GenericRecord> deserializer =
            DatasetDeserializer.readingLatest(catalog, "widgets", NO_WAIT);
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, widget(v1, "a", 1));
        assertEquals(v2, deserializer.deserialize(TOPIC, value).getSchema());
        register(catalog, RegistrationRequest.datasetSchema("widgets",
            WIDGETS_V2.replace("]}", ", {\"name\": \"size\", \"type\": \"int\", \"default\": 1}]}")));
        assertEquals(v2, deserializer.deserialize(TOPIC, value).getSchema());
        assertEquals(3, DatasetDeserializer.<GenericRecord>readingLatest(catalog, "widgets", NO_WAIT)
            .deserialize(TOPIC, value).getSchema().getFields().size() - 4);
    }

    @Test
    void readsAsWritten() {
        final Serde<GenericRecord> serde = DatasetSerdes.asWritten(catalog, "widgets");
        assertEquals(v1, serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, widget(v1, "a", 1)))
            .getSchema());
        assertEquals(v2, serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, widget(v2, "a", 1)))
            .getSchema());
    }

    @Test
    void specificRecordsRoundTripAndReadOldGenericData() {
        final String specificV1 = TestWidget.SCHEMA$.toString().replace(
            ",{\"name\":\"color\",\"type\":\"string\",\"default\":\"unpainted\"}", "");
        final DatasetMetadata metadata = DatasetMetadata.builder("specific-widgets").uniqueKey("widget_id").build();
        register(catalog, RegistrationRequest.dataset(metadata, specificV1));
        register(catalog, RegistrationRequest.datasetSchema("specific-widgets", TestWidget.SCHEMA$));
        final Serde<TestWidget> serde = DatasetSerdes.specific(catalog, "specific-widgets", TestWidget.class);
        final Instant updated = Instant.parse("2025-05-01T10:15:30.123Z");
        final byte[] value = serde.serializer().serialize("specific-widgets",
            new TestWidget("s-1", "Specific", null, 2, updated, "red"));
        assertEquals(4, value[4]);
        final TestWidget read = serde.deserializer().deserialize("specific-widgets", value);
        assertEquals("s-1", read.widgetId());
        assertEquals(updated, read.updatedAt());
        assertEquals("red", read.color());

        final GenericRecord old = new GenericData.Record(catalog.schemaById(3).orElseThrow().schema());
        old.put("widget_id", "s-0");
        old.put("name", "Old");
        old.put("version", 1L);
        old.put("updated_at", updated.toEpochMilli());
        final byte[] oldValue = new DatasetSerializer<GenericRecord>(catalog, "specific-widgets")
            .serialize("specific-widgets", old);
        final TestWidget upgraded = serde.deserializer().deserialize("specific-widgets", oldValue);
        assertEquals("unpainted", upgraded.color());
        assertEquals(updated, upgraded.updatedAt());
    }

    @Test
    void wrongMagicByte() {
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, widget(v1, "a", 1));
        value[0] = 1;
        final WireFormatException exception = readFailure(value);
        assertEquals(WireFormatException.Reason.WRONG_MAGIC_BYTE, exception.reason());
        assertEquals(WireFormatException.Reason.WRONG_MAGIC_BYTE, readFailure(new byte[] {'{', '"'}).reason());
    }

    @Test
    void unknownSchemaId() {
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, widget(v1, "a", 1));
        value[4] = 99;
        final WireFormatException exception = readFailure(value);
        assertEquals(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, exception.reason());
        assertEquals(99, exception.schemaId().getAsInt());
        assertEquals(TOPIC, exception.topic().orElseThrow());
    }

    @Test
    void unknownIdWaitsForTheCatalogToCatchUp() throws Exception {
        final String v3 = WIDGETS_V2.replace("]}", ", {\"name\": \"size\", \"type\": \"int\", \"default\": 1}]}");
        final RegistrationPlan plan = TestRegistry.planner().plan(catalog, RegistrationRequest.datasetSchema("widgets", v3));
        final MetadataCatalog producerSide = catalog.copy();
        plan.records().forEach(producerSide::apply);
        final GenericRecord record = widget(producerSide.schemaById(3).orElseThrow().schema(), "a", 1);
        record.put("size", 5);
        final byte[] value = new DatasetSerializer<GenericRecord>(producerSide, "widgets").serialize(TOPIC, record);

        final DatasetDeserializer<GenericRecord> deserializer =
            DatasetDeserializer.readingVersion(catalog, "widgets", 2, Duration.ofSeconds(10));
        final CompletableFuture<GenericRecord> reading =
            CompletableFuture.supplyAsync(() -> deserializer.deserialize(TOPIC, value));
        Thread.sleep(100);
        assertFalse(reading.isDone());
        plan.records().forEach(catalog::apply);
        assertEquals("a", reading.get(5, TimeUnit.SECONDS).get("widget_id").toString());

        final byte[] newer = value.clone();
        newer[4] = 4;
        final long started = System.nanoTime();
        final WireFormatException exception = assertThrows(WireFormatException.class,
            () -> DatasetDeserializer.readingLatest(catalog, "widgets", Duration.ofMillis(300)).deserialize(TOPIC, newer));
        assertEquals(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, exception.reason());
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(290));
    }

    @Test
    void truncated() {
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, widget(v1, "a", 1));
        assertEquals(WireFormatException.Reason.TRUNCATED, readFailure(new byte[] {0, 0, 0}).reason());
        assertEquals(WireFormatException.Reason.TRUNCATED, readFailure(new byte[0]).reason());
        final WireFormatException exception = readFailure(Arrays.copyOf(value, value.length - 3));
        assertEquals(WireFormatException.Reason.TRUNCATED, exception.reason());
        assertEquals(1, exception.schemaId().getAsInt());
    }

    @Test
    void undecodable() {
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, widget(v1, "a", 1));
        assertEquals(WireFormatException.Reason.UNDECODABLE, readFailure(Arrays.copyOf(value, value.length + 2)).reason());
        final byte[] negativeLength = value.clone();
        negativeLength[5] = 0x01;
        assertEquals(WireFormatException.Reason.UNDECODABLE, readFailure(negativeLength).reason());
        final byte[] badUnionIndex = value.clone();
        // header 5, widget_id "a" (length 1, zigzag 2, then 1 byte), name "Widget a" (length byte then 8 bytes)
        final int priceIndex = 5 + 2 + 9;
        assertEquals(2, badUnionIndex[priceIndex]);
        badUnionIndex[priceIndex] = 8;
        assertEquals(WireFormatException.Reason.UNDECODABLE, readFailure(badUnionIndex).reason());
    }

    @Test
    void consumedRecordFailuresCarryPartitionAndOffset() {
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, widget(v1, "a", 1));
        value[0] = 7;
        final WireFormatException exception = assertThrows(WireFormatException.class,
            () -> DatasetDeserializer.readingLatest(catalog, "widgets", NO_WAIT)
                .deserialize(new ConsumerRecord<>(TOPIC, 3, 42L, new byte[0], value)));
        assertEquals(3, exception.partition().getAsInt());
        assertEquals(42L, exception.offset().getAsLong());
        assertTrue(exception.getMessage().contains("partition 3, offset 42"), exception.getMessage());
    }

    @Test
    void invalidRecordsNameTheField() {
        final GenericRecord longInIntField = widget(v1, "a", 1);
        longInIntField.put("version", 1);
        WireFormatException exception = writeFailure(longInIntField);
        assertEquals(WireFormatException.Reason.INVALID_FOR_SCHEMA, exception.reason());
        assertEquals("version", exception.fieldPath().orElseThrow());
        assertTrue(exception.detail().startsWith("expected long, got java.lang.Integer 1"), exception.detail());

        final GenericRecord missingName = widget(v1, "a", 1);
        missingName.put("name", null);
        exception = writeFailure(missingName);
        assertEquals("name", exception.fieldPath().orElseThrow());
        assertTrue(exception.detail().startsWith("null value where string is required"), exception.detail());

        final GenericRecord stringPrice = widget(v1, "a", 1);
        stringPrice.put("price", "cheap");
        exception = writeFailure(stringPrice);
        assertEquals("price", exception.fieldPath().orElseThrow());
        assertTrue(exception.detail().contains("matches no branch of union"), exception.detail());
    }

    @Test
    void namesNestedFieldsArrayItemsAndMapValues() {
        final Schema order = TestRegistry.parse("{\"type\": \"record\", \"name\": \"Order\", \"fields\": ["
            + "{\"name\": \"order_id\", \"type\": \"string\"},"
            + "{\"name\": \"address\", \"type\": {\"type\": \"record\", \"name\": \"Address\", \"fields\": ["
            + "  {\"name\": \"zip\", \"type\": \"string\"}]}},"
            + "{\"name\": \"lines\", \"type\": {\"type\": \"array\", \"items\": {\"type\": \"record\", \"name\": \"Line\","
            + "  \"fields\": [{\"name\": \"quantity\", \"type\": \"int\"}]}}},"
            + "{\"name\": \"tags\", \"type\": {\"type\": \"map\", \"values\": \"long\"}},"
            + "{\"name\": \"status\", \"type\": {\"type\": \"enum\", \"name\": \"Status\", \"symbols\": [\"NEW\", \"DONE\"]}},"
            + "{\"name\": \"hash\", \"type\": {\"type\": \"fixed\", \"name\": \"Hash\", \"size\": 4}}]}");
        register(catalog, RegistrationRequest.dataset(DatasetMetadata.builder("orders").uniqueKey("order_id").build(), order));

        assertEquals("address.zip", orderFailure(order, record -> ((GenericRecord) record.get("address")).put("zip", 5)));
        assertEquals("lines[].quantity", orderFailure(order, record ->
            ((GenericRecord) ((List<?>) record.get("lines")).get(1)).put("quantity", "two")));
        assertEquals("tags{}", orderFailure(order, record -> record.put("tags", Map.of("a", 1))));
        assertEquals("status", orderFailure(order, record ->
            record.put("status", new GenericData.EnumSymbol(order.getField("status").schema(), "LOST"))));
        assertEquals("hash", orderFailure(order, record ->
            record.put("hash", new GenericData.Fixed(order.getField("hash").schema(), new byte[5]))));
        assertEquals("lines", orderFailure(order, record -> record.put("lines", "not a list")));

        // GenericData.validate accepts a record of another schema whose fields happen to fit by position; writing it
        // would silently put a widget id into the zip code, so the serializer is stricter and refuses it
        final GenericRecord wrongRecord = validOrder(order);
        wrongRecord.put("address", widget(v1, "x", 1));
        assertTrue(GenericData.get().validate(order, wrongRecord));
        final WireFormatException exception = assertThrows(WireFormatException.class,
            () -> new DatasetSerializer<GenericRecord>(catalog, "orders").serialize("orders", wrongRecord));
        assertEquals("address", exception.fieldPath().orElseThrow());
        assertTrue(exception.detail().contains("different schema example.Widget"), exception.detail());
    }

    private GenericRecord validOrder(final Schema order) {
        final Schema lineSchema = order.getField("lines").schema().getElementType();
        final GenericRecord address = new GenericData.Record(order.getField("address").schema());
        address.put("zip", "12345");
        final List<GenericRecord> lines = new ArrayList<>();
        for (int quantity = 1; quantity <= 2; quantity++) {
            final GenericRecord line = new GenericData.Record(lineSchema);
            line.put("quantity", quantity);
            lines.add(line);
        }
        final GenericRecord record = new GenericData.Record(order);
        record.put("order_id", "o-1");
        record.put("address", address);
        record.put("lines", lines);
        record.put("tags", Map.of("a", 1L));
        record.put("status", new GenericData.EnumSymbol(order.getField("status").schema(), "NEW"));
        record.put("hash", new GenericData.Fixed(order.getField("hash").schema(), new byte[4]));
        return record;
    }

    private String orderFailure(final Schema order, final Consumer<GenericRecord> breakIt) {
        final GenericRecord record = validOrder(order);
        new DatasetSerializer<GenericRecord>(catalog, "orders").serialize("orders", record);
        breakIt.accept(record);
        assertFalse(GenericData.get().validate(order, record), "the oracle must agree the record is invalid");
        final WireFormatException exception = assertThrows(WireFormatException.class,
            () -> new DatasetSerializer<GenericRecord>(catalog, "orders").serialize("orders", record));
        assertEquals(WireFormatException.Reason.INVALID_FOR_SCHEMA, exception.reason());
        return exception.fieldPath().orElseThrow();
    }

    /** Whatever Avro's own GenericData.validate rejects, the serializer refuses too; whatever it accepts, is written. */
    @Test
    void refusesExactlyWhatGenericDataValidateRejects() {
        final List<Object[]> fieldValues = List.of(
            new Object[] {"widget_id", "x"}, new Object[] {"widget_id", null}, new Object[] {"widget_id", 1},
            new Object[] {"name", new org.apache.avro.util.Utf8("utf8")}, new Object[] {"name", ByteBuffer.allocate(1)},
            new Object[] {"price", null}, new Object[] {"price", 1.0}, new Object[] {"price", 1.0f},
            new Object[] {"price", 1}, new Object[] {"version", 7L}, new Object[] {"version", 7},
            new Object[] {"version", null}, new Object[] {"updated_at", Instant.EPOCH}, new Object[] {"updated_at", 5L},
            new Object[] {"color", "blue"}, new Object[] {"color", null}, new Object[] {"color", 'c'});
        for (final Object[] fieldValue : fieldValues) {
            final GenericRecord record = widget(v2, "w", 1);
            record.put((String) fieldValue[0], fieldValue[1]);
            final boolean valid = GenericData.get().validate(v2, record);
            final DatasetSerializer<GenericRecord> serializer = new DatasetSerializer<>(catalog, "widgets");
            if (valid) {
                serializer.serialize(TOPIC, record);
            } else {
                final WireFormatException exception = assertThrows(WireFormatException.class,
                    () -> serializer.serialize(TOPIC, record), Arrays.toString(fieldValue));
                assertEquals(fieldValue[0], exception.fieldPath().orElseThrow(), Arrays.toString(fieldValue));
            }
        }
    }

    @Test
    void unregisteredSchemaUnknownDatasetAndSoftDeletedVersionAreRefused() {
        final Schema unregistered = TestRegistry.parse(WIDGETS_V2.replace("\"unpainted\"", "\"grey\""));
        final WireFormatException unregisteredFailure = writeFailure(widget(unregistered, "a", 1));
        assertEquals(WireFormatException.Reason.UNREGISTERED_SCHEMA, unregisteredFailure.reason());
        assertTrue(unregisteredFailure.detail().contains("latest is version 2, id 2"), unregisteredFailure.detail());

        assertEquals(WireFormatException.Reason.UNKNOWN_DATASET, assertThrows(WireFormatException.class,
            () -> new DatasetSerializer<GenericRecord>(catalog, "gadgets").serialize("gadgets", widget(v1, "a", 1)))
            .reason());

        final DatasetSerializer<GenericRecord> serializer = new DatasetSerializer<>(catalog, "widgets");
        final byte[] writtenWithV1 = serializer.serialize(TOPIC, widget(v1, "a", 1));
        register(catalog, RegistrationRequest.deleteSchemaVersion("widgets-value", 1));
        assertEquals(WireFormatException.Reason.UNREGISTERED_SCHEMA,
            assertThrows(WireFormatException.class, () -> serializer.serialize(TOPIC, widget(v1, "a", 1))).reason());
        assertEquals("a", DatasetDeserializer.<GenericRecord>readingVersion(catalog, "widgets", 2, NO_WAIT)
            .deserialize(TOPIC, writtenWithV1).get("widget_id").toString());
    }

    @Test
    void idOfAnotherSubjectIsRefused() {
        register(catalog, RegistrationRequest.schema("other-value", TestRegistry.WIDGETS_V1.replace("Widget", "Other")));
        final GenericRecord other = widget(catalog.schemaById(3).orElseThrow().schema(), "a", 1);
        final byte[] value = new DatasetSerializer<GenericRecord>(catalog, "widgets").serialize(TOPIC, widget(v1, "a", 1));
        value[4] = 3;
        assertEquals("Other", other.getSchema().getName());
        final WireFormatException exception = readFailure(value);
        assertEquals(WireFormatException.Reason.UNDECODABLE, exception.reason());
        assertTrue(exception.detail().contains("belongs to subject other-value"), exception.detail());
    }

    @Test
    void sharedSerdesAreSafeAcrossThreads() throws Exception {
        final Serde<GenericRecord> serde = DatasetSerdes.generic(catalog, "widgets", 2);
        final List<CompletableFuture<Integer>> workers = new ArrayList<>();
        for (int thread = 0; thread < 4; thread++) {
            final int offset = thread * 1000;
            workers.add(CompletableFuture.supplyAsync(() -> {
                int matched = 0;
                for (int index = 0; index < 1000; index++) {
                    final Schema schema = index % 2 == 0 ? v1 : v2;
                    final GenericRecord read = serde.deserializer().deserialize(TOPIC,
                        serde.serializer().serialize(TOPIC, widget(schema, "w", offset + index)));
                    if ((Long) read.get("version") == offset + index) {
                        matched++;
                    }
                }
                return matched;
            }));
        }
        for (final CompletableFuture<Integer> worker : workers) {
            assertEquals(1000, worker.get(30, TimeUnit.SECONDS));
        }
    }
}
