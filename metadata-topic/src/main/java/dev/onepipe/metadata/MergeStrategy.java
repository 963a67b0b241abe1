package dev.onepipe.metadata;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How duplicate versions of one unique key are resolved: keep the one with the greatest value of a field, the first
 * or last one seen in the log, the one whose vector clock (a map of writer to counter) dominates, or merge field by
 * field. Written as text it is the kind, optionally followed by a space and the field, e.g. {@code LATEST_BY_FIELD version}.
 */
public final class MergeStrategy {

    /** The merge strategies; some need a field. */
    public enum Kind {
        LATEST_BY_FIELD(true),
        FIRST_SEEN(false),
        LAST_SEEN(false),
        VECTOR_CLOCK(true),
        FIELD_MERGE(false);

        private final boolean needsField;

        Kind(boolean needsField) {
            this.needsField = needsField;
        }

        public boolean needsField() {
            return needsField;
        }
    }

    public static final MergeStrategy DEFAULT = new MergeStrategy(Kind.LAST_SEEN, null);

    private final Kind kind;
    private final String field;

    private MergeStrategy(Kind kind, String field) {
        this.kind = kind;
        this.field = field;
    }

    /**
     * A merge strategy; the field must be present exactly when the kind needs one.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static MergeStrategy of(Kind kind, String field) {
        Objects.requireNonNull(kind, "kind");
        boolean hasField = field != null && !field.isBlank();
        if (kind.needsField() && !hasField) {
            throw new IllegalArgumentException("merge strategy " + kind + " needs a field");
        }
        if (!kind.needsField() && hasField) {
            throw new IllegalArgumentException("merge strategy " + kind + " takes no field, got '" + field + "'");
        }
        return new MergeStrategy(kind, hasField ? field : null);
    }

    public static MergeStrategy latestByField(String field) {
        return of(Kind.LATEST_BY_FIELD, field);
    }

    public static MergeStrategy vectorClock(String field) {
        return of(Kind.VECTOR_CLOCK, field);
    }

    public static MergeStrategy firstSeen() {
        return of(Kind.FIRST_SEEN, null);
    }

    public static MergeStrategy lastSeen() {
        return DEFAULT;
    }

    public static MergeStrategy fieldMerge() {
        return of(Kind.FIELD_MERGE, null);
    }

    /** Parses the text form, e.g. {@code "LATEST_BY_FIELD version"} or {@code "first_seen"}. */
    public static MergeStrategy parse(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length > 2 || words[0].isEmpty()) {
            throw new IllegalArgumentException("merge strategy must be '<STRATEGY> [field]', got '" + text + "'");
        }
        return of(parseKind(words[0]), words.length == 2 ? words[1] : null);
    }

    static Kind parseKind(String text) {
        try {
            return Kind.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException exception) {
            throw new IllegalArgumentException("unknown merge strategy '" + text + "', expected one of "
                + java.util.Arrays.toString(Kind.values()), exception);
        }
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
        if (!(other instanceof MergeStrategy)) {
            return false;
        }
        MergeStrategy that = (MergeStrategy) other;
        return kind == that.kind && Objects.equals(field, that.field);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, field);
    }

    @Override
    public String toString() {
        return field == null ? kind.name() : kind.name() + " " + field;
    }
}
