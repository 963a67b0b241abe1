package dev.onepipe.metadata;

/** One entry of the metadata topic: a schema version or a dataset metadata version. */
public sealed interface MetadataEntry permits SchemaVersion, DatasetVersion {

    /** The key this entry is stored under; a later entry with the same key replaces it. */
    MetadataKey key();
}
