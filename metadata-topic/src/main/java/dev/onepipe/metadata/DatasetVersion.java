package dev.onepipe.metadata;

import java.time.Instant;
import java.util.Objects;

/**
 * One version of a dataset's metadata. Metadata is versioned like schemas: every change is a new version
 * (1, 2, ...); soft-deleting a dataset is a new version with the deleted flag set, so the history stays readable.
 *
 * @param metadata     the dataset's metadata in this version
 * @param version      the metadata version, from 1
 * @param registeredAt when the registry accepted it
 * @param deleted      whether this version soft-deletes the dataset
 */
public record DatasetVersion(DatasetMetadata metadata, int version, Instant registeredAt, boolean deleted) implements MetadataEntry {

    public DatasetVersion {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(registeredAt, "registeredAt");
    }

    @Override
    public MetadataKey key() {
        return MetadataKey.dataset(metadata.name(), version);
    }

    public String name() {
        return metadata.name();
    }

    @Override
    public String toString() {
        return "DatasetVersion{name=" + metadata.name() + ", version=" + version + (deleted ? ", deleted" : "") + "}";
    }
}
