package dev.onepipe.metadata.producer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import dev.onepipe.metadata.TimestampText;

/**
 * Converts natural JSON, as people and most systems write it, into a {@link GenericRecord} of a schema. Avro's own
 * JSON decoder wants unions wrapped ({@code {"double": 1.5}}); this accepts {@code {"price": 1.5, "status": null}}.
 *
 * <p>Rules: a union value in Avro's wrapped form ({@code {"string": "x"}}, the branch's type name or a named type's
 * full name) is that branch; a bare value is accepted when exactly one non-null branch takes it and refused as
 * ambiguous, naming the field and the branches, when several do (never a branch picked silently); a missing field
 * takes its default, or null when its type is a nullable union, and is an error otherwise; an unknown field is an
 * error (a typo must not be dropped silently); ints and longs must be whole numbers in range; floats and doubles must
 * be in range (not Infinity or 0 once narrowed; NaN and infinities are written {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}); {@code timestamp-*} accepts epoch numbers or the ISO-8601 forms of {@link TimestampText}
 * (no offset means UTC), {@code local-timestamp-*} the same forms without an offset, {@code date} accepts
 * {@code 2024-05-01} or an epoch day, {@code time-*} accepts {@code 12:30:00.250}; {@code decimal} accepts a number
 * or numeric text that fits its scale exactly; {@code uuid} must be a UUID; bytes and fixed are base64 text. Every
 * error names the field path, e.g. {@code lines[2].price}.
 */
public final class JsonRecordConverter {

    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Conversions.DecimalConversion DECIMAL = new Conversions.DecimalConversion();

    private JsonRecordConverter() {
    }

    /**
     * @throws JsonConversionException naming the field when the JSON does not fit the schema
     */
    public static GenericRecord convert(Schema recordSchema, String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException exception) {
            throw new JsonConversionException(null, "not valid JSON: " + exception.getOriginalMessage());
        }
        return convert(recordSchema, node);
    }

    /** @see #convert(Schema, String) */
    public static GenericRecord convert(Schema recordSchema, JsonNode node) {
        if (recordSchema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("Schema " + recordSchema.getFullName() + " is not a record");
        }
        if (node == null || !node.isObject()) {
            throw new JsonConversionException(null, "expected a JSON object for record " + recordSchema.getFullName()
                + ", got " + describe(node));
        }
        return (GenericRecord) convertValue(recordSchema, node, "");
    }

    private static Object convertValue(Schema schema, JsonNode node, String path) {
        if (schema.getType() == Schema.Type.UNION) {
            return convertUnion(schema, node, path);
        }
        if (node == null || node.isNull()) {
            if (schema.getType() == Schema.Type.NULL) {
                return null;
            }
            throw new JsonConversionException(path, "null where " + typeName(schema) + " is required (not nullable)");
        }
        LogicalType logicalType = schema.getLogicalType();
        switch (schema.getType()) {
            case NULL:
                throw mismatch(path, schema, node);
            case BOOLEAN:
                if (!node.isBoolean()) {
                    throw mismatch(path, schema, node);
                }
                return node.booleanValue();
            case INT:
                if (logicalType instanceof LogicalTypes.Date && node.isTextual()) {
                    return (int) parseDate(node.textValue(), path).toEpochDay();
                }
                if (logicalType instanceof LogicalTypes.TimeMillis && node.isTextual()) {
                    return (int) (parseTime(node.textValue(), path).toNanoOfDay() / 1_000_000L);
                }
                return (int) integral(schema, node, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case LONG:
                if (node.isTextual() && logicalType != null) {
                    return temporalLong(logicalType, node.textValue(), path, schema, node);
                }
                return integral(schema, node, path, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT:
                return floatValue(schema, node, path);
            case DOUBLE:
                return floating(schema, node, path);
            case STRING:
                if (!node.isTextual()) {
                    throw mismatch(path, schema, node);
                }
                if (logicalType != null && "uuid".equals(logicalType.getName())) {
                    try {
                        UUID.fromString(node.textValue());
                    } catch (IllegalArgumentException exception) {
                        throw new JsonConversionException(path, "'" + node.textValue() + "' is not a UUID");
                    }
                }
                return node.textValue();
            case BYTES:
                if (logicalType instanceof LogicalTypes.Decimal) {
                    return DECIMAL.toBytes(decimal((LogicalTypes.Decimal) logicalType, node, path), schema, logicalType);
                }
                return ByteBuffer.wrap(base64(node, path, schema));
            case FIXED:
                if (logicalType instanceof LogicalTypes.Decimal) {
                    return DECIMAL.toFixed(decimal((LogicalTypes.Decimal) logicalType, node, path), schema, logicalType);
                }
                byte[] bytes = base64(node, path, schema);
                if (bytes.length != schema.getFixedSize()) {
                    throw new JsonConversionException(path, "fixed " + schema.getFullName() + " needs "
                        + schema.getFixedSize() + " bytes, got " + bytes.length);
                }
                return new GenericData.Fixed(schema, bytes);
            case ENUM:
                if (!node.isTextual()) {
                    throw mismatch(path, schema, node);
                }
                if (!schema.hasEnumSymbol(node.textValue())) {
                    throw new JsonConversionException(path, "'" + node.textValue() + "' is not a symbol of enum "
                        + schema.getFullName() + " " + schema.getEnumSymbols());
                }
                return new GenericData.EnumSymbol(schema, node.textValue());
            case ARRAY:
                if (!node.isArray()) {
                    throw mismatch(path, schema, node);
                }
                GenericData.Array<Object> array = new GenericData.Array<>(node.size(), schema);
                for (int index = 0; index < node.size(); index++) {
                    array.add(convertValue(schema.getElementType(), node.get(index), path + "[" + index + "]"));
                }
                return array;
            case MAP:
                if (!node.isObject()) {
                    throw mismatch(path, schema, node);
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> entry : node.properties()) {
                    map.put(entry.getKey(), convertValue(schema.getValueType(), entry.getValue(),
                        path + "{" + entry.getKey() + "}"));
                }
                return map;
            case RECORD:
                return convertRecord(schema, node, path);
            default:
                throw new JsonConversionException(path, "unsupported schema type " + schema.getType());
        }
    }

    private static GenericRecord convertRecord(Schema schema, JsonNode node, String path) {
        if (!node.isObject()) {
            throw mismatch(path, schema, node);
        }
        GenericData.Record record = new GenericData.Record(schema);
        Set<String> known = new HashSet<>();
        for (Schema.Field field : schema.getFields()) {
            known.add(field.name());
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            JsonNode value = node.get(field.name());
            if (value == null) {
                if (field.hasDefaultValue()) {
                    record.put(field.pos(), GenericData.get().deepCopy(field.schema(),
                        GenericData.get().getDefaultValue(field)));
                } else if (isNullable(field.schema())) {
                    record.put(field.pos(), null);
                } else {
                    throw new JsonConversionException(fieldPath, "required field is missing (type "
                        + typeName(field.schema()) + ", no default)");
                }
            } else {
                record.put(field.pos(), convertValue(field.schema(), value, fieldPath));
            }
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new JsonConversionException(path.isEmpty() ? name : path + "." + name,
                    "unknown field: not in schema " + schema.getFullName());
            }
        }
        return record;
    }

    /**
     * Avro's JSON encoding (spec, "JSON Encoding") writes a non-null union value as a one-key object naming its branch,
     * {@code {"string": "x"}}; that form always means that branch. A bare value is accepted only where exactly one
     * branch takes it: a value more than one branch takes (5 for {@code ["int","long"]}, {@code {"a":"b"}} for a map
     * and a record) is refused as ambiguous rather than stored in a branch picked by position.
     */
    private static Object convertUnion(Schema union, JsonNode node, String path) {
        if (node == null || node.isNull()) {
            if (isNullable(union)) {
                return null;
            }
            throw new JsonConversionException(path, "null where " + typeName(union) + " is required (not nullable)");
        }
        if (node.isObject() && node.size() == 1) {
            Map.Entry<String, JsonNode> wrapped = node.properties().iterator().next();
            for (Schema branch : union.getTypes()) {
                if (branch.getType() != Schema.Type.NULL && wrapped.getKey().equals(branchName(branch))) {
                    return convertValue(branch, wrapped.getValue(), path);
                }
            }
        }
        List<String> failures = new ArrayList<>();
        List<Schema> fitting = new ArrayList<>();
        Object converted = null;
        for (Schema branch : union.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            try {
                Object value = convertValue(branch, node, path);
                if (fitting.isEmpty()) {
                    converted = value;
                }
                fitting.add(branch);
            } catch (JsonConversionException exception) {
                failures.add(typeName(branch) + ": " + exception.detail());
            }
        }
        if (fitting.size() == 1) {
            return converted;
        }
        if (fitting.size() > 1) {
            List<String> names = new ArrayList<>();
            fitting.forEach(branch -> names.add(branchName(branch)));
            throw new JsonConversionException(path, describe(node) + " is ambiguous: it fits branches " + names
                + " of union " + typeName(union) + "; write it in Avro's wrapped form, e.g. {\"" + names.get(0)
                + "\": " + shown(node) + "}");
        }
        throw new JsonConversionException(path, describe(node) + " fits no branch of union " + typeName(union)
            + " (" + String.join("; ", failures) + ")");
    }

    /** A branch's name in Avro's JSON encoding: the full name of a named type, else the type's name. */
    private static String branchName(Schema branch) {
        switch (branch.getType()) {
            case RECORD:
            case ENUM:
            case FIXED:
                return branch.getFullName();
            default:
                return branch.getType().getName();
        }
    }

    private static long integral(Schema schema, JsonNode node, String path, long minimum,
                                 long maximum) {
        if (!node.isNumber()) {
            throw mismatch(path, schema, node);
        }
        BigInteger value;
        try {
            value = node.decimalValue().toBigIntegerExact();
        } catch (ArithmeticException exception) {
            throw new JsonConversionException(path, "expected a whole number for " + typeName(schema) + ", got "
                + node.asText());
        }
        if (value.compareTo(BigInteger.valueOf(minimum)) < 0 || value.compareTo(BigInteger.valueOf(maximum)) > 0) {
            throw new JsonConversionException(path, node.asText() + " is out of range for " + typeName(schema));
        }
        return value.longValue();
    }

    /** A JSON number to a float; a number beyond {@link Float#MAX_VALUE}, or non-zero but below float's smallest
     * value, is out of range (it would be stored as Infinity or 0). NaN and infinities must be written as text. */
    private static float floatValue(Schema schema, JsonNode node, String path) {
        double value = floating(schema, node, path);
        if (!node.isNumber()) {
            return (float) value;
        }
        float narrowed = (float) value;
        if (Float.isInfinite(narrowed) || (narrowed == 0.0f && node.decimalValue().signum() != 0)) {
            throw new JsonConversionException(path, node.asText() + " is out of range for " + typeName(schema)
                + " (magnitude " + Float.MIN_VALUE + " to " + Float.MAX_VALUE + ")");
        }
        return narrowed;
    }

    private static double floating(Schema schema, JsonNode node, String path) {
        if (node.isNumber()) {
            double value = node.doubleValue();
            if (Double.isInfinite(value) || (value == 0.0 && node.decimalValue().signum() != 0)) {
                throw new JsonConversionException(path, node.asText() + " is out of range for " + typeName(schema)
                    + " (magnitude " + Double.MIN_VALUE + " to " + Double.MAX_VALUE + ")");
            }
            return value;
        }
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw mismatch(path, schema, node);
    }

    private static long temporalLong(LogicalType logicalType, String text, String path,
                                     Schema schema, JsonNode node) {
        try {
            switch (logicalType.getName()) {
                case "timestamp-millis":
                    return parseInstant(text).toEpochMilli();
                case "timestamp-micros":
                    return ChronoUnit.MICROS.between(Instant.EPOCH, parseInstant(text));
                case "timestamp-nanos":
                    return ChronoUnit.NANOS.between(Instant.EPOCH, parseInstant(text));
                case "local-timestamp-millis":
                    return TimestampText.parseLocal(text).toInstant(ZoneOffset.UTC).toEpochMilli();
                case "local-timestamp-micros":
                    return ChronoUnit.MICROS.between(Instant.EPOCH,
                        TimestampText.parseLocal(text).toInstant(ZoneOffset.UTC));
                case "local-timestamp-nanos":
                    return ChronoUnit.NANOS.between(Instant.EPOCH,
                        TimestampText.parseLocal(text).toInstant(ZoneOffset.UTC));
                case "time-micros":
                    return parseTime(text, path).toNanoOfDay() / 1_000L;
                default:
                    throw mismatch(path, schema, node);
            }
        } catch (DateTimeParseException exception) {
            throw new JsonConversionException(path, "'" + text + "' is not an ISO-8601 "
                + (logicalType.getName().startsWith("time-") ? "time (hh:mm:ss[.fff])"
                    : logicalType.getName().startsWith("local-") ? "local date-time (2026-11-29T10:00:00, no offset)"
                    : "timestamp (" + TimestampText.FORMS + ")") + " for " + logicalType.getName());
        }
    }

    private static Instant parseInstant(String text) {
        return TimestampText.parseInstant(text);
    }

    private static LocalDate parseDate(String text, String path) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException exception) {
            throw new JsonConversionException(path, "'" + text + "' is not an ISO-8601 date (yyyy-mm-dd)");
        }
    }

    private static LocalTime parseTime(String text, String path) {
        try {
            return LocalTime.parse(text);
        } catch (DateTimeParseException exception) {
            throw new JsonConversionException(path, "'" + text + "' is not an ISO-8601 time (hh:mm:ss[.fff])");
        }
    }

    private static BigDecimal decimal(LogicalTypes.Decimal decimal, JsonNode node, String path) {
        BigDecimal value;
        try {
            value = node.isNumber() ? node.decimalValue() : node.isTextual() ? new BigDecimal(node.textValue()) : null;
        } catch (NumberFormatException exception) {
            throw new JsonConversionException(path, "'" + node.textValue() + "' is not a decimal number");
        }
        if (value == null) {
            throw new JsonConversionException(path, "expected a decimal number, got " + describe(node));
        }
        try {
            BigDecimal scaled = value.setScale(decimal.getScale());
            if (scaled.precision() > decimal.getPrecision()) {
                throw new JsonConversionException(path, value + " has more than " + decimal.getPrecision()
                    + " digits (decimal(" + decimal.getPrecision() + "," + decimal.getScale() + "))");
            }
            return scaled;
        } catch (ArithmeticException exception) {
            throw new JsonConversionException(path, value + " has more than " + decimal.getScale()
                + " digits after the point (decimal(" + decimal.getPrecision() + "," + decimal.getScale() + "))");
        }
    }

    private static byte[] base64(JsonNode node, String path, Schema schema) {
        if (!node.isTextual()) {
            throw mismatch(path, schema, node);
        }
        try {
            return Base64.getDecoder().decode(node.textValue());
        } catch (IllegalArgumentException exception) {
            throw new JsonConversionException(path, "expected base64 text for " + typeName(schema) + ": "
                + exception.getMessage());
        }
    }

    private static boolean isNullable(Schema schema) {
        if (schema.getType() == Schema.Type.NULL) {
            return true;
        }
        if (schema.getType() != Schema.Type.UNION) {
            return false;
        }
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                return true;
            }
        }
        return false;
    }

    private static JsonConversionException mismatch(String path, Schema schema, JsonNode node) {
        return new JsonConversionException(path, "expected " + article(schema) + typeName(schema) + ", got "
            + describe(node));
    }

    private static String article(Schema schema) {
        switch (schema.getType()) {
            case INT:
            case LONG:
            case FLOAT:
            case DOUBLE:
                return "a number for ";
            case STRING:
            case ENUM:
                return "text for ";
            case BOOLEAN:
                return "true or false for ";
            case ARRAY:
                return "a JSON array for ";
            case MAP:
            case RECORD:
                return "a JSON object for ";
            default:
                return "";
        }
    }

    private static String typeName(Schema schema) {
        LogicalType logicalType = schema.getLogicalType();
        switch (schema.getType()) {
            case UNION:
                List<String> branches = new ArrayList<>();
                schema.getTypes().forEach(branch -> branches.add(typeName(branch)));
                return branches.toString();
            case RECORD:
            case ENUM:
            case FIXED:
                return schema.getType().getName() + " " + schema.getFullName();
            case ARRAY:
                return "array of " + typeName(schema.getElementType());
            case MAP:
                return "map of " + typeName(schema.getValueType());
            default:
                return logicalType == null ? schema.getType().getName()
                    : schema.getType().getName() + " (" + logicalType.getName() + ")";
        }
    }

    private static String shown(JsonNode node) {
        String text = node.toString();
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        String shown = shown(node);
        if (node.isTextual()) {
            return "string " + shown;
        }
        if (node.isNumber()) {
            return "number " + shown;
        }
        if (node.isBoolean()) {
            return "boolean " + shown;
        }
        if (node.isArray()) {
            return "array " + shown;
        }
        return "object " + shown;
    }
}
