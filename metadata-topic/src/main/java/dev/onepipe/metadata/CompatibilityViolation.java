package dev.onepipe.metadata;

import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;

/**
 * One reason a candidate schema is incompatible with a registered version: which field, which rule, and which
 * direction of the check (new schema reading old data, or old schema reading new data) failed.
 */
public final class CompatibilityViolation {

    /** Which schema reads and which writes in the failed check. */
    public enum Direction {
        NEW_SCHEMA_READS_OLD_DATA,
        OLD_SCHEMA_READS_NEW_DATA
    }

    /** {@link #kind()} of a violation found by {@link LogicalTypeCompatibility}, which Avro has no type for. */
    public static final String LOGICAL_TYPE_MISMATCH = "LOGICAL_TYPE_MISMATCH";

    private final CompatibilityMode mode;
    private final Direction direction;
    private final int existingVersion;
    private final String fieldPath;
    private final String location;
    private final SchemaIncompatibilityType type;
    private final String detail;

    public CompatibilityViolation(final CompatibilityMode mode, final Direction direction, final int existingVersion,
                                  final String fieldPath, final String location, final SchemaIncompatibilityType type,
                                  final String detail) {
        this.mode = mode;
        this.direction = direction;
        this.existingVersion = existingVersion;
        this.fieldPath = fieldPath;
        this.location = location;
        this.type = type;
        this.detail = detail;
    }

    public CompatibilityMode mode() {
        return mode;
    }

    public Direction direction() {
        return direction;
    }

    /** The registered version the candidate was checked against. */
    public int existingVersion() {
        return existingVersion;
    }

    /** The offending field as a dotted path in the reading schema ({@code []} marks array items, {@code {}} map values). */
    public String fieldPath() {
        return fieldPath;
    }

    /** Avro's JSON-pointer location in the reading schema, e.g. {@code /fields/2/type}. */
    public String location() {
        return location;
    }

    /** Avro's incompatibility type; {@code null} for a {@link #LOGICAL_TYPE_MISMATCH}. */
    public SchemaIncompatibilityType type() {
        return type;
    }

    /** Avro's incompatibility type name, or {@link #LOGICAL_TYPE_MISMATCH}. */
    public String kind() {
        return type == null ? LOGICAL_TYPE_MISMATCH : type.name();
    }

    /** Avro's own message for the incompatibility. */
    public String detail() {
        return detail;
    }

    /** The rule that was broken, in words. */
    public String rule() {
        if (type == null) {
            return "a logical type may not change what stored values mean: it must stay the same, except that a"
                + " decimal may grow its precision at the same scale";
        }
        switch (type) {
            case READER_FIELD_MISSING_DEFAULT_VALUE:
                return "a field the reader expects but the writer does not have must declare a default";
            case TYPE_MISMATCH:
                return "a field's type may only change to one Avro can promote it to "
                    + "(int to long, float or double; long to float or double; float to double; string and bytes)";
            case MISSING_ENUM_SYMBOLS:
                return "the reader's enum must contain every symbol the writer can write, or declare a default symbol";
            case MISSING_UNION_BRANCH:
                return "the reader's union must accept every branch of the writer's union";
            case NAME_MISMATCH:
                return "a named type (record, enum, fixed) must keep its name or list the old one as an alias";
            case FIXED_SIZE_MISMATCH:
                return "a fixed type must keep its size";
            default:
                return type.name();
        }
    }

    @Override
    public String toString() {
        final String reader = direction == Direction.NEW_SCHEMA_READS_OLD_DATA
            ? "new schema reading data written with version " + existingVersion
            : "version " + existingVersion + " reading data written with the new schema";
        return "field '" + fieldPath + "': " + kind() + " (" + detail + ") breaks " + mode + " rule: " + rule()
            + " [" + reader + ", at " + location + "]";
    }
}
