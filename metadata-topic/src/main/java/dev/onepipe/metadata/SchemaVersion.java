package dev.onepipe.metadata;

import java.time.Instant;
import java.util.Objects;

import org.apache.avro.Schema;

/**
 * A registered schema version: subject, version (1, 2, ... per subject, never reused), global id (unique across all
 * subjects, increasing in registration order; the id on the wire), the schema, its Avro parsing canonical form and
 * fingerprint, when it was registered and whether it has been soft-deleted. A soft-deleted version keeps its id and
 * stays readable, so data written with it can still be decoded; it is no longer "latest" nor checked against.
 */
public final class SchemaVersion implements MetadataEntry {

    private final String subject;
    private final int version;
    private final int id;
    private final Schema schema;
    private final String schemaJson;
    private final String canonicalForm;
    private final long fingerprint;
    private final Instant registeredAt;
    private final boolean deleted;
    private volatile SchemaIdentity identity;

    SchemaVersion(String subject, int version, int id, Schema schema, String schemaJson,
                  String canonicalForm, long fingerprint, Instant registeredAt, boolean deleted) {
        this.subject = Objects.requireNonNull(subject, "subject");
        this.version = version;
        this.id = id;
        this.schema = Objects.requireNonNull(schema, "schema");
        this.schemaJson = Objects.requireNonNull(schemaJson, "schemaJson");
        this.canonicalForm = Objects.requireNonNull(canonicalForm, "canonicalForm");
        this.fingerprint = fingerprint;
        this.registeredAt = Objects.requireNonNull(registeredAt, "registeredAt");
        this.deleted = deleted;
    }

    /** A new version of a schema, its forms computed from the parsed schema. */
    static SchemaVersion create(String subject, int version, int id, Schema schema,
                                Instant registeredAt) {
        SchemaIdentity identity = SchemaIdentity.of(schema);
        SchemaVersion created = new SchemaVersion(subject, version, id, schema, schema.toString(),
            identity.parsingForm(), identity.fingerprint(), registeredAt, false);
        created.identity = identity;
        return created;
    }

    /** The same version with the soft-deleted flag set as given; the parsed schema object is shared. */
    public SchemaVersion withDeleted(boolean isDeleted) {
        SchemaVersion copy = new SchemaVersion(subject, version, id, schema, schemaJson, canonicalForm,
            fingerprint, registeredAt, isDeleted);
        copy.identity = identity;
        return copy;
    }

    @Override
    public MetadataKey key() {
        return MetadataKey.schema(subject, version);
    }

    public String subject() {
        return subject;
    }

    public int version() {
        return version;
    }

    /** The global schema id written into every record: unique across subjects. */
    public int id() {
        return id;
    }

    /** The parsed schema, with defaults, aliases, logical types and docs. Shared: callers must not mutate it. */
    public Schema schema() {
        return schema;
    }

    /** The full schema JSON as registered (Avro's compact rendering); what {@link #schema()} was parsed from. */
    public String schemaJson() {
        return schemaJson;
    }

    /** Avro parsing canonical form. */
    public String canonicalForm() {
        return canonicalForm;
    }

    /** {@code SchemaNormalization.parsingFingerprint64} of the schema. */
    public long fingerprint() {
        return fingerprint;
    }

    public Instant registeredAt() {
        return registeredAt;
    }

    public boolean deleted() {
        return deleted;
    }

    /** What decides whether another schema is the same as this one; see {@link SchemaIdentity}. */
    public SchemaIdentity identity() {
        SchemaIdentity result = identity;
        if (result == null) {
            result = SchemaIdentity.of(schema);
            identity = result;
        }
        return result;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SchemaVersion)) {
            return false;
        }
        SchemaVersion that = (SchemaVersion) other;
        return version == that.version && id == that.id && fingerprint == that.fingerprint && deleted == that.deleted
            && subject.equals(that.subject) && schemaJson.equals(that.schemaJson)
            && canonicalForm.equals(that.canonicalForm) && registeredAt.equals(that.registeredAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, version, id);
    }

    @Override
    public String toString() {
        return "SchemaVersion{subject=" + subject + ", version=" + version + ", id=" + id + ", fingerprint="
            + fingerprint + (deleted ? ", deleted" : "") + "}";
    }
}
