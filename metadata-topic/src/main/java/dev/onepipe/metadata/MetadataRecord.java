package dev.onepipe.metadata;

import java.util.Arrays;
import java.util.Objects;

/** The bytes of one metadata topic record: the canonical key and the encoded value (null for a tombstone). */
public record MetadataRecord(byte[] key, byte[] value) {

    public MetadataRecord {
        Objects.requireNonNull(key, "key");
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof MetadataRecord)) {
            return false;
        }
        MetadataRecord that = (MetadataRecord) other;
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
