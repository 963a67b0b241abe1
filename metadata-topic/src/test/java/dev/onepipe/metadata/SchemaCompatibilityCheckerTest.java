package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.junit.jupiter.api.Test;

class SchemaCompatibilityCheckerTest {

    private static final String BASE = "{\"type\": \"record\", \"name\": \"Widget\", \"fields\": [%s]}";
    private static final String ID = "{\"name\": \"id\", \"type\": \"string\"}";
    private static final String NAME = "{\"name\": \"name\", \"type\": \"string\"}";

    private static Schema record(final String... fields) {
        return new Schema.Parser().parse(String.format(BASE, String.join(", ", fields)));
    }

    private static List<SchemaVersion> history(final Schema... schemas) {
        final List<SchemaVersion> versions = new ArrayList<>();
        for (int index = 0; index < schemas.length; index++) {
            versions.add(SchemaVersion.create("widgets-value", index + 1, index + 1, schemas[index], Instant.EPOCH));
        }
        return versions;
    }

    private static List<CompatibilityViolation> check(final CompatibilityMode mode, final Schema candidate,
                                                      final Schema... existing) {
        return SchemaCompatibilityChecker.check(mode, candidate, history(existing));
    }

    private static final Schema V1 = record(ID, NAME);
    private static final Schema ADD_OPTIONAL = record(ID, NAME, "{\"name\": \"color\", \"type\": \"string\", \"default\": \"red\"}");
    private static final Schema ADD_REQUIRED = record(ID, NAME, "{\"name\": \"color\", \"type\": \"string\"}");
    private static final Schema DROP_REQUIRED = record(ID);
    private static final Schema RETYPE = record(ID, "{\"name\": \"name\", \"type\": \"int\"}");

    @Test
    void noneAcceptsAnything() {
        assertTrue(check(CompatibilityMode.NONE, RETYPE, V1).isEmpty());
        assertTrue(check(CompatibilityMode.NONE, ADD_REQUIRED, V1).isEmpty());
    }

    @Test
    void firstVersionIsAlwaysCompatible() {
        for (final CompatibilityMode mode : CompatibilityMode.values()) {
            assertTrue(check(mode, RETYPE).isEmpty(), mode.name());
        }
    }

    @Test
    void backwardAcceptsAddedFieldWithDefaultAndDroppedField() {
        assertTrue(check(CompatibilityMode.BACKWARD, ADD_OPTIONAL, V1).isEmpty());
        assertTrue(check(CompatibilityMode.BACKWARD, DROP_REQUIRED, V1).isEmpty());
    }

    @Test
    void backwardRejectsAddedFieldWithoutDefaultNamingTheFieldAndRule() {
        final List<CompatibilityViolation> violations = check(CompatibilityMode.BACKWARD, ADD_REQUIRED, V1);
        assertEquals(1, violations.size());
        final CompatibilityViolation violation = violations.get(0);
        assertEquals("color", violation.fieldPath());
        assertEquals(SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE, violation.type());
        assertEquals(CompatibilityViolation.Direction.NEW_SCHEMA_READS_OLD_DATA, violation.direction());
        assertTrue(violation.toString().contains("field 'color'"), violation.toString());
        assertTrue(violation.toString().contains("must declare a default"), violation.toString());
        assertTrue(violation.toString().contains("BACKWARD"), violation.toString());
    }

    @Test
    void backwardRejectsRetypedField() {
        final List<CompatibilityViolation> violations = check(CompatibilityMode.BACKWARD, RETYPE, V1);
        assertEquals(1, violations.size());
        assertEquals("name", violations.get(0).fieldPath());
        assertEquals(SchemaIncompatibilityType.TYPE_MISMATCH, violations.get(0).type());
    }

    @Test
    void forwardAcceptsAddedFieldEvenWithoutDefault() {
        assertTrue(check(CompatibilityMode.FORWARD, ADD_REQUIRED, V1).isEmpty());
        assertTrue(check(CompatibilityMode.FORWARD, ADD_OPTIONAL, V1).isEmpty());
    }

    @Test
    void forwardRejectsDroppedFieldTheOldSchemaNeeds() {
        final List<CompatibilityViolation> violations = check(CompatibilityMode.FORWARD, DROP_REQUIRED, V1);
        assertEquals(1, violations.size());
        assertEquals("name", violations.get(0).fieldPath());
        assertEquals(SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE, violations.get(0).type());
        assertEquals(CompatibilityViolation.Direction.OLD_SCHEMA_READS_NEW_DATA, violations.get(0).direction());
        assertEquals(1, violations.get(0).existingVersion());
    }

    @Test
    void promotionIsBackwardButNotForwardCompatible() {
        final Schema intCount = record(ID, "{\"name\": \"count\", \"type\": \"int\"}");
        final Schema longCount = record(ID, "{\"name\": \"count\", \"type\": \"long\"}");
        assertTrue(check(CompatibilityMode.BACKWARD, longCount, intCount).isEmpty());
        final List<CompatibilityViolation> forward = check(CompatibilityMode.FORWARD, longCount, intCount);
        assertEquals(1, forward.size());
        assertEquals("count", forward.get(0).fieldPath());
        assertEquals(SchemaIncompatibilityType.TYPE_MISMATCH, forward.get(0).type());
    }

    @Test
    void fullAcceptsOnlyChangesBothWays() {
        assertTrue(check(CompatibilityMode.FULL, ADD_OPTIONAL, V1).isEmpty());
        final List<CompatibilityViolation> addRequired = check(CompatibilityMode.FULL, ADD_REQUIRED, V1);
        assertEquals(1, addRequired.size());
        assertEquals(CompatibilityViolation.Direction.NEW_SCHEMA_READS_OLD_DATA, addRequired.get(0).direction());
        final List<CompatibilityViolation> dropRequired = check(CompatibilityMode.FULL, DROP_REQUIRED, V1);
        assertEquals(1, dropRequired.size());
        assertEquals(CompatibilityViolation.Direction.OLD_SCHEMA_READS_NEW_DATA, dropRequired.get(0).direction());
        assertEquals(2, check(CompatibilityMode.FULL, RETYPE, V1).size());
    }

    /** v1 has an int count, v2 dropped it, the candidate brings it back as a string with a default. */
    private static final Schema COUNT_INT = record(ID, "{\"name\": \"count\", \"type\": \"int\"}");
    private static final Schema COUNT_DROPPED = record(ID);
    private static final Schema COUNT_STRING = record(ID, "{\"name\": \"count\", \"type\": \"string\", \"default\": \"\"}");

    @Test
    void backwardChecksOnlyTheLatestVersionButTransitiveChecksAll() {
        assertTrue(check(CompatibilityMode.BACKWARD, COUNT_STRING, COUNT_INT, COUNT_DROPPED).isEmpty());
        final List<CompatibilityViolation> violations =
            check(CompatibilityMode.BACKWARD_TRANSITIVE, COUNT_STRING, COUNT_INT, COUNT_DROPPED);
        assertEquals(1, violations.size());
        assertEquals(1, violations.get(0).existingVersion());
        assertEquals("count", violations.get(0).fieldPath());
        assertEquals(SchemaIncompatibilityType.TYPE_MISMATCH, violations.get(0).type());
        assertTrue(check(CompatibilityMode.BACKWARD_TRANSITIVE, COUNT_DROPPED, COUNT_INT).isEmpty());
    }

    @Test
    void fullChecksOnlyTheLatestVersionButFullTransitiveChecksAll() {
        assertTrue(check(CompatibilityMode.FULL, COUNT_STRING, COUNT_INT, COUNT_DROPPED).isEmpty());
        final List<CompatibilityViolation> violations =
            check(CompatibilityMode.FULL_TRANSITIVE, COUNT_STRING, COUNT_INT, COUNT_DROPPED);
        assertEquals(2, violations.size());
        assertTrue(violations.stream().allMatch(violation -> violation.existingVersion() == 1));
        assertTrue(check(CompatibilityMode.FULL_TRANSITIVE, ADD_OPTIONAL, V1, V1).isEmpty());
    }

    /** v1 requires name, v2 gives it a default, the candidate drops it: fine for v2 readers, not for v1 readers. */
    @Test
    void forwardChecksOnlyTheLatestVersionButTransitiveChecksAll() {
        final Schema nameWithDefault = record(ID, "{\"name\": \"name\", \"type\": \"string\", \"default\": \"n\"}");
        assertTrue(check(CompatibilityMode.FORWARD, DROP_REQUIRED, V1, nameWithDefault).isEmpty());
        final List<CompatibilityViolation> violations =
            check(CompatibilityMode.FORWARD_TRANSITIVE, DROP_REQUIRED, V1, nameWithDefault);
        assertEquals(1, violations.size());
        assertEquals(1, violations.get(0).existingVersion());
        assertEquals("name", violations.get(0).fieldPath());
        assertTrue(check(CompatibilityMode.FORWARD_TRANSITIVE, ADD_REQUIRED, V1, ADD_OPTIONAL).isEmpty());
    }

    @Test
    void namesNestedFieldsArrayItemsAndEnumSymbols() {
        final Schema writer = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Order\", \"fields\": ["
            + "{\"name\": \"address\", \"type\": {\"type\": \"record\", \"name\": \"Address\", \"fields\": ["
            + "  {\"name\": \"zip\", \"type\": \"string\"}]}},"
            + "{\"name\": \"lines\", \"type\": {\"type\": \"array\", \"items\": {\"type\": \"record\", \"name\": \"Line\","
            + "  \"fields\": [{\"name\": \"quantity\", \"type\": \"long\"}]}}},"
            + "{\"name\": \"status\", \"type\": {\"type\": \"enum\", \"name\": \"Status\", \"symbols\": [\"NEW\", \"DONE\"]}}]}");
        final Schema reader = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Order\", \"fields\": ["
            + "{\"name\": \"address\", \"type\": {\"type\": \"record\", \"name\": \"Address\", \"fields\": ["
            + "  {\"name\": \"zip\", \"type\": \"int\"}]}},"
            + "{\"name\": \"lines\", \"type\": {\"type\": \"array\", \"items\": {\"type\": \"record\", \"name\": \"Line\","
            + "  \"fields\": [{\"name\": \"quantity\", \"type\": \"int\"}]}}},"
            + "{\"name\": \"status\", \"type\": {\"type\": \"enum\", \"name\": \"Status\", \"symbols\": [\"NEW\"]}}]}");
        final List<CompatibilityViolation> violations = check(CompatibilityMode.BACKWARD, reader, writer);
        final List<String> paths = new ArrayList<>();
        violations.forEach(violation -> paths.add(violation.fieldPath() + " " + violation.type()));
        assertEquals(List.of("address.zip TYPE_MISMATCH", "lines[].quantity TYPE_MISMATCH",
            "status MISSING_ENUM_SYMBOLS"), paths);
    }
}
