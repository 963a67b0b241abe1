package dev.onepipe.metadata.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import dev.onepipe.metadata.TestRegistry;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class UniqueKeyEncoderTest {

    private static final Schema SCHEMA = TestRegistry.parse("{\"type\": \"record\", \"name\": \"Keyed\", \"fields\": ["
        + "{\"name\": \"id\", \"type\": \"string\"},"
        + "{\"name\": \"region\", \"type\": \"string\"},"
        + "{\"name\": \"count\", \"type\": \"int\"},"
        + "{\"name\": \"big\", \"type\": \"long\"},"
        + "{\"name\": \"flag\", \"type\": \"boolean\"},"
        + "{\"name\": \"kind\", \"type\": {\"type\": \"enum\", \"name\": \"Kind\", \"symbols\": [\"RED\", \"BLUE\"]}},"
        + "{\"name\": \"maybe\", \"type\": [\"null\", \"string\"], \"default\": null}]}");

    private static GenericRecord record(final String id, final String region) {
        final GenericRecord record = new GenericData.Record(SCHEMA);
        record.put("id", id);
        record.put("region", region);
        record.put("count", -42);
        record.put("big", 9_007_199_254_740_993L);
        record.put("flag", true);
        record.put("kind", new GenericData.EnumSymbol(SCHEMA.getField("kind").schema(), "BLUE"));
        return record;
    }

    private static String key(final GenericRecord record, final String... fields) {
        return new UniqueKeyEncoder(List.of(fields)).encode(record);
    }

    @Test
    void singleFieldKeyIsTheStringFormItself() {
        final GenericRecord record = record("w-1", "eu");
        assertEquals("w-1", key(record, "id"));
        assertEquals("-42", key(record, "count"));
        assertEquals("9007199254740993", key(record, "big"));
        assertEquals("true", key(record, "flag"));
        assertEquals("BLUE", key(record, "kind"));
        assertArrayEquals(new byte[] {'w', '-', '1'}, new UniqueKeyEncoder(List.of("id")).encodeToBytes(record));
        record.put("id", new org.apache.avro.util.Utf8("w-1"));
        assertEquals("w-1", key(record, "id"));
    }

    @Test
    void compositeKeyPrefixesEachFormWithItsUtf8ByteLength() {
        assertEquals("3:w-12:eu", key(record("w-1", "eu"), "id", "region"));
        assertEquals("2:eu3:-4216:9007199254740993", key(record("w-1", "eu"), "region", "count", "big"));
        final String composite = key(record("é", "日本"), "id", "region");
        assertEquals("2:é6:日本", composite);
        assertArrayEquals(new byte[] {'2', ':', (byte) 0xC3, (byte) 0xA9, '6', ':', (byte) 0xE6, (byte) 0x97, (byte) 0xA5,
            (byte) 0xE6, (byte) 0x9C, (byte) 0xAC}, composite.getBytes(StandardCharsets.UTF_8));
        assertEquals("0:2:eu", key(record("", "eu"), "id", "region"));
    }

    @Test
    void compositeKeysAreUnambiguous() {
        assertNotEquals(key(record("a:1", "b"), "id", "region"), key(record("a", "1:b"), "id", "region"));
        assertEquals("3:a:11:b", key(record("a:1", "b"), "id", "region"));
        assertEquals("1:a3:1:b", key(record("a", "1:b"), "id", "region"));
    }

    @Test
    void logicalTypeObjectsUseTheUnderlyingAvroNumber() {
        final Schema millis = TestRegistry.parse("{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}");
        final Schema micros = TestRegistry.parse("{\"type\": \"long\", \"logicalType\": \"timestamp-micros\"}");
        final Instant instant = Instant.parse("1970-01-01T00:00:01.5Z");
        assertEquals("1500", UniqueKeyEncoder.stringForm("at", instant, millis));
        assertEquals("1500000", UniqueKeyEncoder.stringForm("at", instant, micros));
        assertEquals("-1", UniqueKeyEncoder.stringForm("day", java.time.LocalDate.of(1969, 12, 31), null));
    }

    @Test
    void nullOrUnsupportedKeyValuesAndMissingFieldsAreErrors() {
        assertEquals("unique-key field 'maybe' is null",
            assertThrows(IllegalArgumentException.class, () -> key(record("a", "b"), "maybe")).getMessage());
        assertEquals("unique-key field 'nope' is not in schema Keyed",
            assertThrows(IllegalArgumentException.class, () -> key(record("a", "b"), "nope")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> UniqueKeyEncoder.stringForm("price", 1.5, null));
    }
}
