package dev.onepipe.metadata;

import static dev.onepipe.metadata.TestRegistry.planner;
import static dev.onepipe.metadata.TestRegistry.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Avro's SchemaCompatibility ignores logical types; the registry must not. */
class LogicalTypeCompatibilityTest {

    private static final String DECIMAL_9_2 = "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}";
    private static final String DECIMAL_9_4 = "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":9,\"scale\":4}";
    private static final String DECIMAL_12_2 = "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":12,\"scale\":2}";

    private static String payment(final String amountType) {
        return "{\"type\":\"record\",\"name\":\"Payment\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"amount\",\"type\":" + amountType + "}]}";
    }

    private static List<CompatibilityViolation> check(final CompatibilityMode mode, final String candidate,
                                                      final String existing) {
        final List<SchemaVersion> history = List.of(SchemaVersion.create("payments-value", 1, 1,
            new Schema.Parser().parse(existing), Instant.EPOCH));
        return SchemaCompatibilityChecker.check(mode, new Schema.Parser().parse(candidate), history);
    }

    private static List<String> summary(final List<CompatibilityViolation> violations) {
        final List<String> lines = new ArrayList<>();
        violations.forEach(violation -> lines.add(violation.fieldPath() + " " + violation.kind() + " "
            + violation.direction() + " " + violation.detail()));
        return lines;
    }

    @Test
    void decimalScaleChangeIsRejectedUnderBackwardNamingFieldAndRule() {
        final MetadataCatalog catalog = new MetadataCatalog();
        register(catalog, RegistrationRequest.schema("payments-value", payment(DECIMAL_9_2)));
        final RegistrationPlan plan = planner().plan(catalog, RegistrationRequest.schema("payments-value",
            payment(DECIMAL_9_4)));
        assertFalse(plan.result().accepted());
        assertTrue(plan.entries().isEmpty());
        assertEquals(List.of("amount LOGICAL_TYPE_MISMATCH NEW_SCHEMA_READS_OLD_DATA reader decimal(9,4), writer decimal(9,2)"),
            summary(plan.result().violations()));
        final String message = String.join("\n", plan.result().reasons());
        assertTrue(message.contains("field 'amount': LOGICAL_TYPE_MISMATCH"), message);
        assertTrue(message.contains("breaks BACKWARD rule: a logical type may not change what stored values mean"),
            message);
    }

    @Test
    void aMeaningChangeIsRejectedInEveryModeButNone() {
        for (final CompatibilityMode mode : CompatibilityMode.values()) {
            final List<CompatibilityViolation> violations = check(mode, payment(DECIMAL_9_4), payment(DECIMAL_9_2));
            if (mode == CompatibilityMode.NONE) {
                assertTrue(violations.isEmpty(), mode.name());
            } else {
                final int directions = (mode.newSchemaReadsOldData() ? 1 : 0) + (mode.oldSchemaReadsNewData() ? 1 : 0);
                assertEquals(directions, violations.size(), mode.name());
                assertTrue(violations.stream().allMatch(violation -> "amount".equals(violation.fieldPath())
                    && CompatibilityViolation.LOGICAL_TYPE_MISMATCH.equals(violation.kind())), mode.name());
            }
        }
    }

    @Test
    void decimalPrecisionMayGrowAtTheSameScaleForTheReaderOnly() {
        assertTrue(check(CompatibilityMode.BACKWARD, payment(DECIMAL_12_2), payment(DECIMAL_9_2)).isEmpty());
        assertEquals(List.of("amount LOGICAL_TYPE_MISMATCH OLD_SCHEMA_READS_NEW_DATA reader decimal(9,2), writer decimal(12,2)"),
            summary(check(CompatibilityMode.FORWARD, payment(DECIMAL_12_2), payment(DECIMAL_9_2))));
        assertEquals(1, check(CompatibilityMode.FULL, payment(DECIMAL_12_2), payment(DECIMAL_9_2)).size());
        assertEquals(1, check(CompatibilityMode.BACKWARD, payment(DECIMAL_9_2), payment(DECIMAL_12_2)).size());
        assertTrue(check(CompatibilityMode.FULL_TRANSITIVE, payment(DECIMAL_9_2), payment(DECIMAL_9_2)).isEmpty());
    }

    @Test
    void timeUnitsDaysAndLocalTimeAreDifferentMeanings() {
        final String millis = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
        final String micros = "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}";
        final String localMillis = "{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}";
        final String date = "{\"type\":\"int\",\"logicalType\":\"date\"}";
        final String timeMillis = "{\"type\":\"int\",\"logicalType\":\"time-millis\"}";
        final String timeMicros = "{\"type\":\"long\",\"logicalType\":\"time-micros\"}";
        assertEquals(List.of("amount LOGICAL_TYPE_MISMATCH NEW_SCHEMA_READS_OLD_DATA reader timestamp-micros, writer timestamp-millis"),
            summary(check(CompatibilityMode.BACKWARD, payment(micros), payment(millis))));
        assertEquals(List.of("amount LOGICAL_TYPE_MISMATCH NEW_SCHEMA_READS_OLD_DATA reader no logical type (int), writer date"),
            summary(check(CompatibilityMode.BACKWARD, payment("\"int\""), payment(date))));
        assertEquals(List.of("amount LOGICAL_TYPE_MISMATCH NEW_SCHEMA_READS_OLD_DATA reader date, writer no logical type (int)"),
            summary(check(CompatibilityMode.BACKWARD, payment(date), payment("\"int\""))));
        assertEquals(1, check(CompatibilityMode.BACKWARD, payment(localMillis), payment(millis)).size());
        // int to long is a promotion Avro allows, but days are not epoch milliseconds.
        assertEquals(List.of("amount LOGICAL_TYPE_MISMATCH NEW_SCHEMA_READS_OLD_DATA reader timestamp-millis, writer date"),
            summary(check(CompatibilityMode.BACKWARD, payment(millis), payment(date))));
        assertEquals(1, check(CompatibilityMode.BACKWARD, payment(timeMicros), payment(timeMillis)).size());
        assertTrue(check(CompatibilityMode.FULL, payment(millis), payment(millis)).isEmpty());
    }

    @Test
    void logicalTypesAreFoundInUnionsArraysMapsAndNestedRecords() {
        final String before = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":["
            + "{\"name\":\"total\",\"type\":[\"null\"," + DECIMAL_9_2 + "],\"default\":null},"
            + "{\"name\":\"lines\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Line\","
            + "\"fields\":[{\"name\":\"price\",\"type\":" + DECIMAL_9_2 + "}]}}},"
            + "{\"name\":\"taxes\",\"type\":{\"type\":\"map\",\"values\":" + DECIMAL_9_2 + "}},"
            + "{\"name\":\"id\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}}]}";
        final String after = before.replace(DECIMAL_9_2, DECIMAL_9_4).replace(",\"logicalType\":\"uuid\"", "");
        final List<CompatibilityViolation> violations = check(CompatibilityMode.BACKWARD, after, before);
        final List<String> paths = new ArrayList<>();
        violations.forEach(violation -> paths.add(violation.fieldPath() + " " + violation.location()));
        assertEquals(List.of("total /fields/0/type/1", "lines[].price /fields/1/type/items/fields/0/type",
            "taxes{} /fields/2/type/values", "id /fields/3/type"), paths);
    }

    @Test
    void aFieldMatchedByAliasIsCheckedToo() {
        final String renamed = "{\"type\":\"record\",\"name\":\"Payment\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"total\",\"aliases\":[\"amount\"],\"type\":" + DECIMAL_9_4 + "}]}";
        assertEquals(List.of("total LOGICAL_TYPE_MISMATCH NEW_SCHEMA_READS_OLD_DATA reader decimal(9,4), writer decimal(9,2)"),
            summary(check(CompatibilityMode.BACKWARD, renamed, payment(DECIMAL_9_2))));
    }
}
