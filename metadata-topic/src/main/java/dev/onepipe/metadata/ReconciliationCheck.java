package dev.onepipe.metadata;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One aggregate that every system holding a dataset must agree on, e.g. the count of distinct unique keys or the sum
 * of a price. COUNT_DISTINCT without a field counts distinct unique keys; CHECKSUM without a field checksums whole
 * records; SUM, MIN and MAX need a field.
 */
public final class ReconciliationCheck {

    /** The aggregate computed. */
    public enum Kind {
        COUNT_DISTINCT(false),
        SUM(true),
        MIN(true),
        MAX(true),
        CHECKSUM(false);

        private final boolean needsField;

        Kind(boolean needsField) {
            this.needsField = needsField;
        }

        public boolean needsField() {
            return needsField;
        }

        static Kind parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException exception) {
                throw new IllegalArgumentException("unknown reconciliation kind '" + text + "', expected one of "
                    + java.util.Arrays.toString(values()), exception);
            }
        }
    }

    private final String name;
    private final Kind kind;
    private final String field;

    private ReconciliationCheck(String name, Kind kind, String field) {
        this.name = name;
        this.kind = kind;
        this.field = field;
    }

    /** @throws IllegalArgumentException naming what is wrong */
    public static ReconciliationCheck of(String name, Kind kind, String field) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a reconciliation check needs a name");
        }
        Objects.requireNonNull(kind, "kind");
        boolean hasField = field != null && !field.isBlank();
        if (kind.needsField() && !hasField) {
            throw new IllegalArgumentException("reconciliation check '" + name + "' of kind " + kind + " needs a field");
        }
        return new ReconciliationCheck(name, kind, hasField ? field : null);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ReconciliationCheck)) {
            return false;
        }
        ReconciliationCheck that = (ReconciliationCheck) other;
        return name.equals(that.name) && kind == that.kind && Objects.equals(field, that.field);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, field);
    }

    @Override
    public String toString() {
        return name + " " + kind + (field == null ? "" : "(" + field + ")");
    }
}
