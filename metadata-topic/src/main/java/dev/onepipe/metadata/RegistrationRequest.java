package dev.onepipe.metadata;

import java.util.Objects;
import java.util.Optional;

import org.apache.avro.Schema;

/**
 * One change to the registry: register a schema (for a subject or for a dataset's value subject), register dataset
 * metadata, both at once, or soft-delete a dataset or a schema version. Schema text is parsed while planning, so a
 * schema that does not parse is a rejection with a reason rather than an exception.
 */
public final class RegistrationRequest {

    /** What the request does. */
    public enum Kind {
        REGISTER,
        DELETE_DATASET,
        DELETE_SCHEMA_VERSION
    }

    private final Kind kind;
    private final String subject;
    private final String datasetName;
    private final Schema schema;
    private final String schemaText;
    private final DatasetMetadata metadata;
    private final int version;

    private RegistrationRequest(Kind kind, String subject, String datasetName, Schema schema,
                                String schemaText, DatasetMetadata metadata, int version) {
        this.kind = kind;
        this.subject = subject;
        this.datasetName = datasetName;
        this.schema = schema;
        this.schemaText = schemaText;
        this.metadata = metadata;
        this.version = version;
    }

    /** Registers a schema under a subject, checked with the compatibility mode of the datasets using the subject. */
    public static RegistrationRequest schema(String subject, Schema schema) {
        return new RegistrationRequest(Kind.REGISTER, Objects.requireNonNull(subject, "subject"), null,
            Objects.requireNonNull(schema, "schema"), null, null, 0);
    }

    /** @see #schema(String, Schema) */
    public static RegistrationRequest schema(String subject, String schemaJson) {
        return new RegistrationRequest(Kind.REGISTER, Objects.requireNonNull(subject, "subject"), null, null,
            Objects.requireNonNull(schemaJson, "schemaJson"), null, 0);
    }

    /** Registers a new value schema for an already registered dataset. */
    public static RegistrationRequest datasetSchema(String datasetName, Schema schema) {
        return new RegistrationRequest(Kind.REGISTER, null, Objects.requireNonNull(datasetName, "datasetName"),
            Objects.requireNonNull(schema, "schema"), null, null, 0);
    }

    /** @see #datasetSchema(String, Schema) */
    public static RegistrationRequest datasetSchema(String datasetName, String schemaJson) {
        return new RegistrationRequest(Kind.REGISTER, null, Objects.requireNonNull(datasetName, "datasetName"), null,
            Objects.requireNonNull(schemaJson, "schemaJson"), null, 0);
    }

    /** Registers dataset metadata only; it is validated against the latest schema of its value subject. */
    public static RegistrationRequest metadata(DatasetMetadata metadata) {
        return new RegistrationRequest(Kind.REGISTER, null, null, null, null,
            Objects.requireNonNull(metadata, "metadata"), 0);
    }

    /** Registers dataset metadata and its value schema together, atomically. */
    public static RegistrationRequest dataset(DatasetMetadata metadata, Schema schema) {
        return new RegistrationRequest(Kind.REGISTER, null, null, Objects.requireNonNull(schema, "schema"), null,
            Objects.requireNonNull(metadata, "metadata"), 0);
    }

    /** @see #dataset(DatasetMetadata, Schema) */
    public static RegistrationRequest dataset(DatasetMetadata metadata, String schemaJson) {
        return new RegistrationRequest(Kind.REGISTER, null, null, null, Objects.requireNonNull(schemaJson, "schemaJson"),
            Objects.requireNonNull(metadata, "metadata"), 0);
    }

    /** Soft-deletes a dataset: a new metadata version flagged deleted. */
    public static RegistrationRequest deleteDataset(String datasetName) {
        return new RegistrationRequest(Kind.DELETE_DATASET, null, Objects.requireNonNull(datasetName, "datasetName"),
            null, null, null, 0);
    }

    /** Soft-deletes one schema version: it keeps its id and stays readable, but is no longer latest nor checked. */
    public static RegistrationRequest deleteSchemaVersion(String subject, int version) {
        return new RegistrationRequest(Kind.DELETE_SCHEMA_VERSION, Objects.requireNonNull(subject, "subject"), null,
            null, null, null, version);
    }

    public Kind kind() {
        return kind;
    }

    /** The subject named directly by the request, if any. */
    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /** The dataset named directly by the request, if any (metadata requests name it through the metadata). */
    public Optional<String> datasetName() {
        return Optional.ofNullable(datasetName);
    }

    public Optional<Schema> schema() {
        return Optional.ofNullable(schema);
    }

    public Optional<String> schemaText() {
        return Optional.ofNullable(schemaText);
    }

    public boolean hasSchema() {
        return schema != null || schemaText != null;
    }

    public Optional<DatasetMetadata> metadata() {
        return Optional.ofNullable(metadata);
    }

    /** The version a DELETE_SCHEMA_VERSION request deletes. */
    public int version() {
        return version;
    }

    @Override
    public String toString() {
        switch (kind) {
            case DELETE_DATASET:
                return "delete dataset " + datasetName;
            case DELETE_SCHEMA_VERSION:
                return "delete schema " + subject + " version " + version;
            default:
                StringBuilder text = new StringBuilder("register");
                if (metadata != null) {
                    text.append(" dataset ").append(metadata.name());
                }
                if (hasSchema()) {
                    text.append(metadata != null ? " with" : "").append(" schema");
                    if (subject != null) {
                        text.append(" for subject ").append(subject);
                    }
                    if (datasetName != null) {
                        text.append(" for dataset ").append(datasetName);
                    }
                }
                return text.toString();
        }
    }
}
