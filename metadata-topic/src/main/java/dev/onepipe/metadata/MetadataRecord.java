package dev.onepipe.metadata;

import java.util.Arrays;
import java.util.Objects;

/** The bytes of one metadata topic record: the canonical key and the encoded value (null for a tombstone). */
public final class MetadataRecord {

    private final byte[] key;
    private final byte[] value;

    public MetadataRecord(final byte[] key, final byte[] value) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = value;
    }

    public byte[] key() {
        return key;
    }

    public byte[] value() {
        return value;
    }

    @Override
    public boolean equals(final Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof MetadataRecord)) {
            return false;
        }
        final MetadataRecord that = (MetadataRecord) other;
        return Arrays.equals(key, that.key) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "MetadataRecord{key=" + new String(key, java.nio.charset.StandardCharsets.US_ASCII)
            + ", value=" + (value == null ? "tombstone" : value.length + " bytes") + "}";
    }
}
