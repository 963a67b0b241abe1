package dev.onepipe.metadata;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key of a metadata topic entry. A compacted log only deduplicates identical key bytes, so every key has exactly
 * one byte encoding: the US-ASCII text {@code <kind>/<name>/<version>}, for example {@code schema/widgets-value/3} or
 * {@code dataset/widgets/2}, where kind is {@code schema} or {@code dataset}, name matches {@code [A-Za-z0-9._-]{1,249}}
 * (the Kafka topic name alphabet, so it never contains the separator) and version is a positive decimal without sign
 * or leading zeros. {@link #parse} accepts nothing else, so no second spelling of a key can enter the catalog.
 */
public final class MetadataKey {

    public static final int MAXIMUM_NAME_LENGTH = 249;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAXIMUM_NAME_LENGTH + "}");
    private static final Pattern KEY = Pattern.compile("(schema|dataset)/([A-Za-z0-9._-]{1," + MAXIMUM_NAME_LENGTH + "})/([1-9][0-9]{0,9})");

    /** What an entry describes. */
    public enum Kind {
        SCHEMA("schema"),
        DATASET("dataset");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }

        static Kind fromPrefix(String prefix) {
            return SCHEMA.prefix.equals(prefix) ? SCHEMA : DATASET;
        }
    }

    private final Kind kind;
    private final String name;
    private final int version;

    private MetadataKey(Kind kind, String name, int version) {
        this.kind = kind;
        this.name = name;
        this.version = version;
    }

    public static MetadataKey schema(String subject, int version) {
        return of(Kind.SCHEMA, subject, version);
    }

    public static MetadataKey dataset(String datasetName, int version) {
        return of(Kind.DATASET, datasetName, version);
    }

    public static MetadataKey of(Kind kind, String name, int version) {
        Objects.requireNonNull(kind, "kind");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("Invalid " + kind.prefix() + " name '" + name + "': use 1 to "
                + MAXIMUM_NAME_LENGTH + " characters from [A-Za-z0-9._-]");
        }
        if (version < 1) {
            throw new IllegalArgumentException("Versions start at 1, got " + version);
        }
        return new MetadataKey(kind, name, version);
    }

    /** Whether a subject or dataset name can be used in a key. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The key these bytes encode, or empty when they are not exactly the canonical encoding of a key. */
    public static Optional<MetadataKey> parse(byte[] bytes) {
        if (bytes == null || bytes.length > 300) {
            return Optional.empty();
        }
        Matcher matcher = KEY.matcher(new String(bytes, StandardCharsets.US_ASCII));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long version = Long.parseLong(matcher.group(3));
        if (version > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        MetadataKey key = new MetadataKey(Kind.fromPrefix(matcher.group(1)), matcher.group(2), (int) version);
        // a byte outside US-ASCII decodes to U+FFFD, which the pattern rejects; the round trip guards the rest
        return java.util.Arrays.equals(key.toBytes(), bytes) ? Optional.of(key) : Optional.empty();
    }

    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.US_ASCII);
    }

    public Kind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public int version() {
        return version;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof MetadataKey)) {
            return false;
        }
        MetadataKey that = (MetadataKey) other;
        return kind == that.kind && version == that.version && name.equals(that.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, name, version);
    }

    @Override
    public String toString() {
        return kind.prefix() + "/" + name + "/" + version;
    }
}
