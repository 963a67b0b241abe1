package dev.onepipe.metadata;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Checks a candidate schema against the registered versions of a subject with Avro's own
 * {@link SchemaCompatibility} and with {@link LogicalTypeCompatibility} (Avro ignores logical types), and turns each
 * incompatibility into a {@link CompatibilityViolation} that names the field and the rule.
 */
public final class SchemaCompatibilityChecker {

    private SchemaCompatibilityChecker() {
    }

    /**
     * @param mode           the subject's compatibility mode
     * @param candidate      the schema being registered
     * @param activeVersions the subject's versions that are not soft-deleted, oldest first
     * @return every violation; empty when the candidate is compatible
     */
    public static List<CompatibilityViolation> check(CompatibilityMode mode, Schema candidate,
                                                     List<SchemaVersion> activeVersions) {
        List<CompatibilityViolation> violations = new ArrayList<>();
        if (mode == CompatibilityMode.NONE || activeVersions.isEmpty()) {
            return violations;
        }
        List<SchemaVersion> checkedAgainst = mode.transitive()
            ? activeVersions
            : List.of(activeVersions.get(activeVersions.size() - 1));
        for (SchemaVersion existing : checkedAgainst) {
            if (mode.newSchemaReadsOldData()) {
                collect(mode, CompatibilityViolation.Direction.NEW_SCHEMA_READS_OLD_DATA, existing.version(),
                    candidate, existing.schema(), violations);
            }
            if (mode.oldSchemaReadsNewData()) {
                collect(mode, CompatibilityViolation.Direction.OLD_SCHEMA_READS_NEW_DATA, existing.version(),
                    existing.schema(), candidate, violations);
            }
        }
        return violations;
    }

    private static void collect(CompatibilityMode mode, CompatibilityViolation.Direction direction,
                                int existingVersion, Schema reader, Schema writer,
                                List<CompatibilityViolation> violations) {
        SchemaCompatibilityResult result =
            SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        if (result.getCompatibility() != SchemaCompatibilityType.COMPATIBLE) {
            for (Incompatibility incompatibility : result.getIncompatibilities()) {
                violations.add(new CompatibilityViolation(mode, direction, existingVersion,
                    fieldPath(reader, incompatibility.getLocation()), incompatibility.getLocation(),
                    incompatibility.getType(), incompatibility.getMessage()));
            }
        }
        for (LogicalTypeCompatibility.Mismatch mismatch : LogicalTypeCompatibility.check(reader, writer)) {
            String location = mismatch.location().isEmpty() ? "/" : mismatch.location();
            violations.add(new CompatibilityViolation(mode, direction, existingVersion,
                fieldPath(reader, mismatch.location()), location, null, mismatch.detail()));
        }
    }

    /**
     * Turns Avro's location, a JSON pointer into the reading schema such as {@code /fields/2/type/fields/0/type},
     * into a field path such as {@code address.street}.
     */
    static String fieldPath(Schema reader, String location) {
        String[] tokens = location.split("/");
        StringBuilder path = new StringBuilder();
        Schema current = reader;
        int index = 1;
        while (index < tokens.length && current != null) {
            String token = tokens[index];
            if ("fields".equals(token) && index + 1 < tokens.length && current.getType() == Schema.Type.RECORD) {
                int position = Integer.parseInt(tokens[index + 1]);
                Schema.Field field = current.getFields().get(position);
                if (path.length() > 0 && path.charAt(path.length() - 1) != '.') {
                    path.append('.');
                }
                path.append(field.name());
                current = field.schema();
                index += 2;
                if (index < tokens.length && "type".equals(tokens[index])) {
                    index++;
                }
            } else if ("items".equals(token) && current.getType() == Schema.Type.ARRAY) {
                path.append("[]");
                current = current.getElementType();
                index++;
            } else if ("values".equals(token) && current.getType() == Schema.Type.MAP) {
                path.append("{}");
                current = current.getValueType();
                index++;
            } else if (current.getType() == Schema.Type.UNION && token.chars().allMatch(Character::isDigit)
                && !token.isEmpty()) {
                current = current.getTypes().get(Integer.parseInt(token));
                index++;
            } else {
                break;
            }
        }
        return path.length() == 0 ? "(root)" : path.toString();
    }
}
