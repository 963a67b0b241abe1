package dev.onepipe.metadata.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import dev.onepipe.metadata.TestRegistry;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class JsonRecordConverterTest {

    private static final Schema ORDER = TestRegistry.parse("{\"type\": \"record\", \"name\": \"Order\", \"fields\": ["
        + "{\"name\": \"order_id\", \"type\": \"string\"},"
        + "{\"name\": \"price\", \"type\": [\"null\", \"double\"], \"default\": null},"
        + "{\"name\": \"status\", \"type\": [\"null\", {\"type\": \"enum\", \"name\": \"Status\", \"symbols\": [\"NEW\", \"DONE\"]}]},"
        + "{\"name\": \"quantity\", \"type\": \"int\", \"default\": 1},"
        + "{\"name\": \"placed_at\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}},"
        + "{\"name\": \"day\", \"type\": [\"null\", {\"type\": \"int\", \"logicalType\": \"date\"}], \"default\": null},"
        + "{\"name\": \"amount\", \"type\": [\"null\", {\"type\": \"bytes\", \"logicalType\": \"decimal\", \"precision\": 6, \"scale\": 2}], \"default\": null},"
        + "{\"name\": \"code\", \"type\": [\"null\", \"long\", \"string\"], \"default\": null},"
        + "{\"name\": \"lines\", \"type\": {\"type\": \"array\", \"items\": {\"type\": \"record\", \"name\": \"Line\", \"fields\": ["
        + "  {\"name\": \"sku\", \"type\": \"string\"}, {\"name\": \"units\", \"type\": \"long\"}]}}, \"default\": []},"
        + "{\"name\": \"attributes\", \"type\": {\"type\": \"map\", \"values\": \"string\"}, \"default\": {}}]}");

    private static GenericRecord convert(final String json) {
        return JsonRecordConverter.convert(ORDER, json);
    }

    private static JsonConversionException failure(final String json) {
        return assertThrows(JsonConversionException.class, () -> convert(json));
    }

    @Test
    void acceptsNaturalJsonWithUnionsUnwrapped() {
        final GenericRecord record = convert("{\"order_id\": \"o-1\", \"price\": 1.5, \"status\": null,"
            + " \"placed_at\": 1714564800000, \"lines\": [{\"sku\": \"a\", \"units\": 2}], \"attributes\": {\"k\": \"v\"}}");
        assertEquals("o-1", record.get("order_id"));
        assertEquals(1.5, record.get("price"));
        assertNull(record.get("status"));
        assertEquals(1, record.get("quantity"));
        assertEquals(1_714_564_800_000L, record.get("placed_at"));
        assertEquals(2L, ((GenericRecord) ((List<?>) record.get("lines")).get(0)).get("units"));
        assertEquals(Map.of("k", "v"), record.get("attributes"));
        assertTrue(GenericData.get().validate(ORDER, record));
    }

    @Test
    void picksTheUnionBranchTheValueFits() {
        final GenericRecord record = convert("{\"order_id\": \"o\", \"placed_at\": 0, \"status\": \"DONE\", \"code\": 7}");
        assertEquals("DONE", record.get("status").toString());
        assertEquals(7L, record.get("code"));
        assertEquals("x7", convert("{\"order_id\": \"o\", \"placed_at\": 0, \"code\": \"x7\"}").get("code"));
        assertEquals("x7", convert("{\"order_id\": \"o\", \"placed_at\": 0, \"code\": {\"string\": \"x7\"}}").get("code"));
        assertEquals(2.0, convert("{\"order_id\": \"o\", \"placed_at\": 0, \"price\": 2}").get("price"));
    }

    @Test
    void missingFieldsTakeDefaultsOrNullWhenNullable() {
        final GenericRecord record = convert("{\"order_id\": \"o\", \"placed_at\": 0}");
        assertNull(record.get("price"));
        assertNull(record.get("status"));
        assertEquals(1, record.get("quantity"));
        assertEquals(List.of(), record.get("lines"));
        assertTrue(GenericData.get().validate(ORDER, record));
    }

    @Test
    void convertsLogicalTypesFromText() {
        final GenericRecord record = convert("{\"order_id\": \"o\", \"placed_at\": \"2024-05-01T12:00:00Z\","
            + " \"day\": \"1970-01-03\", \"amount\": \"12.30\"}");
        assertEquals(1_714_564_800_000L, record.get("placed_at"));
        assertEquals(2, record.get("day"));
        final Schema amountSchema = ORDER.getField("amount").schema().getTypes().get(1);
        assertEquals(new BigDecimal("12.30"), new Conversions.DecimalConversion()
            .fromBytes((ByteBuffer) record.get("amount"), amountSchema, LogicalTypes.fromSchema(amountSchema)));
        assertEquals(1_714_564_800_000L,
            convert("{\"order_id\": \"o\", \"placed_at\": \"2024-05-01T14:00:00+02:00\"}").get("placed_at"));
    }

    @Test
    void errorsNameTheFieldPath() {
        JsonConversionException exception = failure("{\"placed_at\": 0}");
        assertEquals("order_id", exception.fieldPath());
        assertEquals("required field is missing (type string, no default)", exception.detail());

        exception = failure("{\"order_id\": \"o\", \"placed_at\": 0, \"lines\": [{\"sku\": \"a\", \"units\": 1},"
            + " {\"sku\": \"b\", \"units\": 1.5}]}");
        assertEquals("lines[1].units", exception.fieldPath());
        assertEquals("expected a whole number for long, got 1.5", exception.detail());

        exception = failure("{\"order_id\": \"o\", \"placed_at\": 0, \"quantity\": 3000000000}");
        assertEquals("quantity", exception.fieldPath());
        assertEquals("3000000000 is out of range for int", exception.detail());

        exception = failure("{\"order_id\": \"o\", \"placed_at\": 0, \"status\": \"LOST\"}");
        assertEquals("status", exception.fieldPath());
        assertTrue(exception.detail().contains("'LOST' is not a symbol of enum Status [NEW, DONE]"), exception.detail());

        exception = failure("{\"order_id\": \"o\", \"placed_at\": 0, \"price\": \"cheap\"}");
        assertEquals("price", exception.fieldPath());
        assertTrue(exception.detail().startsWith("string \"cheap\" fits no branch of union [null, double]"),
            exception.detail());

        exception = failure("{\"order_id\": \"o\", \"placed_at\": 0, \"colour\": \"red\"}");
        assertEquals("colour", exception.fieldPath());
        assertEquals("unknown field: not in schema Order", exception.detail());

        exception = failure("{\"order_id\": null, \"placed_at\": 0}");
        assertEquals("order_id", exception.fieldPath());

        exception = failure("{\"order_id\": \"o\", \"placed_at\": \"yesterday\"}");
        assertEquals("placed_at", exception.fieldPath());
        assertEquals("'yesterday' is not an ISO-8601 timestamp (2026-11-29T10:00:00Z, 2026-11-29T10:00:00.250+01:00,"
            + " 2026-11-29T10:00:00 or 2026-11-29 10:00 (UTC), 2026-11-29 (midnight UTC)) for timestamp-millis",
            exception.detail());

        exception = failure("{\"order_id\": \"o\", \"placed_at\": 0, \"amount\": 1.234}");
        assertEquals("amount", exception.fieldPath());
        assertTrue(exception.detail().contains("1.234 has more than 2 digits after the point"), exception.detail());

        exception = failure("{\"order_id\": \"o\", \"placed_at\": 0, \"attributes\": {\"k\": 1}}");
        assertEquals("attributes{k}", exception.fieldPath());

        assertEquals("(record)", failure("[1, 2]").fieldPath());
        assertTrue(failure("{\"order_id\": ").detail().startsWith("not valid JSON"));
    }
}
