package dev.onepipe.metadata;

import java.util.List;
import java.util.Optional;

import org.apache.avro.SchemaFormatter;

/** What {@code show dataset} prints: the dataset's metadata history and the schema versions of its value subject. */
public final class DatasetDescription {

    private final DatasetVersion current;
    private final List<DatasetVersion> metadataVersions;
    private final SchemaVersion schemaVersion;
    private final List<SchemaVersion> schemaVersions;

    DatasetDescription(DatasetVersion current, List<DatasetVersion> metadataVersions,
                       SchemaVersion schemaVersion, List<SchemaVersion> schemaVersions) {
        this.current = current;
        this.metadataVersions = List.copyOf(metadataVersions);
        this.schemaVersion = schemaVersion;
        this.schemaVersions = List.copyOf(schemaVersions);
    }

    /** The latest metadata version (it may soft-delete the dataset). */
    public DatasetVersion current() {
        return current;
    }

    public List<DatasetVersion> metadataVersions() {
        return metadataVersions;
    }

    /** The schema version asked for, or the latest active one; empty when there is none. */
    public Optional<SchemaVersion> schemaVersion() {
        return Optional.ofNullable(schemaVersion);
    }

    /** Every version of the value subject, soft-deleted ones included. */
    public List<SchemaVersion> schemaVersions() {
        return schemaVersions;
    }

    /** A readable multi-line description. */
    public String toText() {
        StringBuilder text = new StringBuilder();
        text.append("dataset ").append(current.name()).append(" (metadata version ").append(current.version())
            .append(current.deleted() ? ", DELETED" : "").append(", registered ").append(current.registeredAt())
            .append(")\n");
        text.append(current.metadata().toJson()).append('\n');
        text.append("schema versions of ").append(current.metadata().valueSubject()).append(":\n");
        for (SchemaVersion version : schemaVersions) {
            text.append("  version ").append(version.version()).append(" id ").append(version.id())
                .append(" registered ").append(version.registeredAt()).append(version.deleted() ? " DELETED" : "")
                .append('\n');
        }
        if (schemaVersion != null) {
            text.append("schema version ").append(schemaVersion.version()).append(" (id ").append(schemaVersion.id())
                .append("):\n").append(SchemaFormatter.format("json/pretty", schemaVersion.schema())).append('\n');
        }
        return text.toString();
    }
}
