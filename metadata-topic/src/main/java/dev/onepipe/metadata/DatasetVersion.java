package dev.onepipe.metadata;

import java.time.Instant;
import java.util.Objects;

/**
 * One version of a dataset's metadata. Metadata is versioned like schemas: every change is a new version
 * (1, 2, ...); soft-deleting a dataset is a new version with the deleted flag set, so the history stays readable.
 */
public final class DatasetVersion implements MetadataEntry {

    private final DatasetMetadata metadata;
    private final int version;
    private final Instant registeredAt;
    private final boolean deleted;

    public DatasetVersion(final DatasetMetadata metadata, final int version, final Instant registeredAt,
                          final boolean deleted) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.version = version;
        this.registeredAt = Objects.requireNonNull(registeredAt, "registeredAt");
        this.deleted = deleted;
    }

    @Override
    public MetadataKey key() {
        return MetadataKey.dataset(metadata.name(), version);
    }

    public String name() {
        return metadata.name();
    }

    public DatasetMetadata metadata() {
        return metadata;
    }

    public int version() {
        return version;
    }

    public Instant registeredAt() {
        return registeredAt;
    }

    public boolean deleted() {
        return deleted;
    }

    @Override
    public boolean equals(final Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof DatasetVersion)) {
            return false;
        }
        final DatasetVersion that = (DatasetVersion) other;
        return version == that.version && deleted == that.deleted && metadata.equals(that.metadata)
            && registeredAt.equals(that.registeredAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metadata.name(), version);
    }

    @Override
    public String toString() {
        return "DatasetVersion{name=" + metadata.name() + ", version=" + version + (deleted ? ", deleted" : "") + "}";
    }
}
