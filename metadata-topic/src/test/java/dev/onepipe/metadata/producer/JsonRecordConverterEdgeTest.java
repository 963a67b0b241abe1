package dev.onepipe.metadata.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import dev.onepipe.metadata.TestRegistry;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The edges of JSON → Avro: unions that a value fits more than once, floating-point range, ISO-8601 timestamps. */
class JsonRecordConverterEdgeTest {

    private static Schema record(final String fieldType) {
        return TestRegistry.parse("{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"ex\",\"fields\":["
            + "{\"name\":\"v\",\"type\":" + fieldType + "}]}");
    }

    private static Object value(final String fieldType, final String json) {
        final Schema schema = record(fieldType);
        final GenericRecord converted = JsonRecordConverter.convert(schema, "{\"v\":" + json + "}");
        assertTrue(GenericData.get().validate(schema, converted));
        return converted.get("v");
    }

    private static JsonConversionException failure(final String fieldType, final String json) {
        return assertThrows(JsonConversionException.class,
            () -> JsonRecordConverter.convert(record(fieldType), "{\"v\":" + json + "}"));
    }

    private static final String STRING_OR_MAP = "[\"null\",\"string\",{\"type\":\"map\",\"values\":\"string\"}]";

    @Test
    void wrappedUnionValueIsTheNamedBranchNotAMapWithOneEntry() {
        assertEquals("x", value(STRING_OR_MAP, "{\"string\":\"x\"}"));
        assertEquals(Map.of("k", "x"), value(STRING_OR_MAP, "{\"map\":{\"k\":\"x\"}}"));
        assertEquals(Map.of("k", "x"), value(STRING_OR_MAP, "{\"k\":\"x\"}"));
        assertEquals("x", value(STRING_OR_MAP, "\"x\""));
    }

    @Test
    void aBareValueThatFitsSeveralBranchesIsRefusedAsAmbiguous() {
        JsonConversionException exception = failure("[\"null\",\"int\",\"long\"]", "5");
        assertEquals("v", exception.fieldPath());
        assertEquals("number 5 is ambiguous: it fits branches [int, long] of union [null, int, long];"
            + " write it in Avro's wrapped form, e.g. {\"int\": 5}", exception.detail());
        assertEquals(5L, value("[\"null\",\"int\",\"long\"]", "{\"long\":5}"));
        assertEquals(5, value("[\"null\",\"int\",\"long\"]", "{\"int\":5}"));

        final String mapOrRecord = "[{\"type\":\"map\",\"values\":\"string\"},"
            + "{\"type\":\"record\",\"name\":\"Tag\",\"fields\":[{\"name\":\"k\",\"type\":\"string\"}]}]";
        exception = failure(mapOrRecord, "{\"k\":\"x\"}");
        assertTrue(exception.detail().contains("ambiguous: it fits branches [map, ex.Tag]"), exception.detail());
        assertEquals("x", ((GenericRecord) value(mapOrRecord, "{\"ex.Tag\":{\"k\":\"x\"}}")).get("k").toString());

        final String stringOrTimestamp = "[\"string\",{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}]";
        exception = failure(stringOrTimestamp, "\"2026-11-29T10:00:00Z\"");
        assertTrue(exception.detail().contains("fits branches [string, long]"), exception.detail());
        assertEquals(1_795_946_400_000L, value(stringOrTimestamp, "{\"long\":\"2026-11-29T10:00:00Z\"}"));

        final String floatOrDouble = "[\"null\",\"float\",\"double\"]";
        assertTrue(failure(floatOrDouble, "1.5").detail().contains("fits branches [float, double]"));
        assertEquals(1.5, value(floatOrDouble, "{\"double\":1.5}"));
    }

    @Test
    void aWrappedValueThatDoesNotFitItsBranchIsAnErrorNamingTheField() {
        final JsonConversionException exception = failure(STRING_OR_MAP, "{\"string\":5}");
        assertEquals("v", exception.fieldPath());
        assertEquals("expected text for string, got number 5", exception.detail());
    }

    @Test
    void floatsAndDoublesOutOfRangeAreErrorsNamingTheField() {
        JsonConversionException exception = failure("\"float\"", "1e39");
        assertEquals("v", exception.fieldPath());
        assertTrue(exception.detail().startsWith("1E+39 is out of range for float"), exception.detail());
        assertTrue(failure("\"float\"", "-1e39").detail().contains("out of range for float"));
        assertTrue(failure("\"float\"", "1e-50").detail().contains("out of range for float"));
        assertTrue(failure("\"double\"", "1e309").detail().contains("out of range for double"));
        assertTrue(failure("\"double\"", "-2e400").detail().contains("out of range for double"));
        assertTrue(failure("[\"null\",\"float\"]", "1e39").detail().contains("out of range for float"));
        assertEquals(Float.MAX_VALUE, value("\"float\"", "3.4028235e38"));
        assertEquals(0.0f, value("\"float\"", "0"));
        assertEquals(1.0e308, value("\"double\"", "1e308"));
        assertEquals(Float.POSITIVE_INFINITY, value("\"float\"", "\"Infinity\""));
        assertTrue(Double.isNaN((Double) value("\"double\"", "\"NaN\"")));
    }

    @Test
    void timestampsAcceptIsoTextWithAndWithoutOffsetAsUtc() {
        final String millis = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
        final long tenOClockUtc = 1_795_946_400_000L; // 2026-11-29T10:00:00Z: 20786 days * 86400000 + 36000000
        assertEquals(tenOClockUtc, value(millis, "\"2026-11-29T10:00:00\""));
        assertEquals(tenOClockUtc, value(millis, "\"2026-11-29T10:00\""));
        assertEquals(tenOClockUtc, value(millis, "\"2026-11-29 10:00:00\""));
        assertEquals(tenOClockUtc, value(millis, "\"2026-11-29T10:00:00Z\""));
        assertEquals(tenOClockUtc, value(millis, "\"2026-11-29T11:00:00+01:00\""));
        assertEquals(tenOClockUtc + 250, value(millis, "\"2026-11-29T10:00:00.250\""));
        assertEquals(tenOClockUtc - 36_000_000L, value(millis, "\"2026-11-29\""));
        final String micros = "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}";
        assertEquals(tenOClockUtc * 1000 + 1, value(micros, "\"2026-11-29T10:00:00.000001\""));
        final String local = "{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}";
        assertEquals(tenOClockUtc, value(local, "\"2026-11-29 10:00\""));
        final JsonConversionException exception = failure(local, "\"2026-11-29T10:00:00Z\"");
        assertEquals("v", exception.fieldPath());
        assertTrue(exception.detail().contains("not an ISO-8601 local date-time"), exception.detail());
        assertTrue(failure(millis, "\"29/11/2026 10:00\"").detail().contains("not an ISO-8601 timestamp"));
    }
}
