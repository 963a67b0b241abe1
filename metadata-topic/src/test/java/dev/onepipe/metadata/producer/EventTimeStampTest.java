package dev.onepipe.metadata.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.TestRegistry;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The record timestamp a DatasetProducer sets: the dataset's event time, in epoch milliseconds, when it has one. */
class EventTimeStampTest {

    /** 2026-11-29T10:00:00.123Z: 20786 days × 86,400,000 ms + 10 h + 123 ms. */
    private static final long EVENT_MILLIS = 20_786L * 86_400_000L + 36_000_000L + 123L;

    private static String schema(final String timeType) {
        return "{\"type\":\"record\",\"name\":\"Reading\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"at\",\"type\":" + timeType + "}]}";
    }

    private static DatasetVersion dataset(final String timeType, final boolean withEventTime) {
        final MetadataCatalog catalog = new MetadataCatalog();
        final DatasetMetadata.Builder metadata = DatasetMetadata.builder("readings").uniqueKey("id");
        if (withEventTime) {
            metadata.eventTimeField("at");
        }
        TestRegistry.register(catalog, RegistrationRequest.dataset(metadata.build(), schema(timeType)));
        return catalog.dataset("readings").orElseThrow();
    }

    private static Long stamp(final String timeType, final String json) {
        final DatasetVersion version = dataset(timeType, true);
        final Schema schema = new Schema.Parser().parse(schema(timeType));
        final GenericRecord record = JsonRecordConverter.convert(schema, json);
        return DatasetProducer.eventTimeMillis(version, "readings", record);
    }

    @Test
    void theEventTimeFieldIsTheRecordTimestampInMillis() {
        assertEquals(EVENT_MILLIS, stamp("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}",
            "{\"id\":\"r\",\"at\":\"2026-11-29T10:00:00.123Z\"}"));
        assertEquals(EVENT_MILLIS, stamp("\"long\"", "{\"id\":\"r\",\"at\":" + EVENT_MILLIS + "}"));
        assertEquals(EVENT_MILLIS, stamp("{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}",
            "{\"id\":\"r\",\"at\":\"2026-11-29T10:00:00.123999\"}"));
        assertEquals(EVENT_MILLIS, stamp("{\"type\":\"long\",\"logicalType\":\"timestamp-nanos\"}",
            "{\"id\":\"r\",\"at\":\"2026-11-29T10:00:00.123456789\"}"));
        assertEquals(EVENT_MILLIS, stamp("{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}",
            "{\"id\":\"r\",\"at\":\"2026-11-29T10:00:00.123\"}"));
        assertEquals(EVENT_MILLIS, stamp("[\"null\",{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}]",
            "{\"id\":\"r\",\"at\":{\"long\":" + EVENT_MILLIS * 1000 + "}}"));
    }

    @Test
    void withoutAnEventTimeTheProducerClockIsUsed() {
        assertNull(stamp("[\"null\",{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}]",
            "{\"id\":\"r\",\"at\":null}"));
        final DatasetVersion noEventTime = dataset("\"long\"", false);
        final GenericRecord record = JsonRecordConverter.convert(new Schema.Parser().parse(schema("\"long\"")),
            "{\"id\":\"r\",\"at\":5}");
        assertNull(DatasetProducer.eventTimeMillis(noEventTime, "readings", record));
    }

    @Test
    void anEventTimeBefore1970IsRefusedNamingTheField() {
        final WireFormatException error = assertThrows(WireFormatException.class,
            () -> stamp("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}",
                "{\"id\":\"r\",\"at\":\"1969-12-31T23:59:59Z\"}"));
        assertTrue(error.getMessage().contains("event time 1969-12-31T23:59:59Z of field 'at' is before 1970"),
            error.getMessage());
    }
}
