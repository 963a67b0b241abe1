package dev.onepipe.metadata;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a registration did or would do: accepted, with the schema version and dataset version that now stand (and
 * whether they were created by it), or rejected with every reason, each naming the field and the rule it breaks.
 */
public final class RegistrationResult {

    private final RegistrationRequest request;
    private final boolean accepted;
    private final List<String> reasons;
    private final List<CompatibilityViolation> violations;
    private final SchemaVersion schemaVersion;
    private final boolean schemaVersionWritten;
    private final DatasetVersion datasetVersion;
    private final boolean datasetVersionWritten;

    private RegistrationResult(RegistrationRequest request, boolean accepted, List<String> reasons,
                               List<CompatibilityViolation> violations, SchemaVersion schemaVersion,
                               boolean schemaVersionWritten, DatasetVersion datasetVersion,
                               boolean datasetVersionWritten) {
        this.request = Objects.requireNonNull(request, "request");
        this.accepted = accepted;
        this.reasons = List.copyOf(reasons);
        this.violations = List.copyOf(violations);
        this.schemaVersion = schemaVersion;
        this.schemaVersionWritten = schemaVersionWritten;
        this.datasetVersion = datasetVersion;
        this.datasetVersionWritten = datasetVersionWritten;
    }

    static RegistrationResult accepted(RegistrationRequest request, SchemaVersion schemaVersion,
                                       boolean schemaVersionWritten, DatasetVersion datasetVersion,
                                       boolean datasetVersionWritten) {
        return new RegistrationResult(request, true, List.of(), List.of(), schemaVersion, schemaVersionWritten,
            datasetVersion, datasetVersionWritten);
    }

    static RegistrationResult rejected(RegistrationRequest request, List<String> reasons,
                                       List<CompatibilityViolation> violations) {
        return new RegistrationResult(request, false, reasons, violations, null, false, null, false);
    }

    public RegistrationRequest request() {
        return request;
    }

    public boolean accepted() {
        return accepted;
    }

    /** Why the request was rejected; empty when accepted. */
    public List<String> reasons() {
        return reasons;
    }

    /** The compatibility violations among the reasons, typed. */
    public List<CompatibilityViolation> violations() {
        return violations;
    }

    /** The schema version registered, matched (an identical schema), or soft-deleted by the request. */
    public Optional<SchemaVersion> schemaVersion() {
        return Optional.ofNullable(schemaVersion);
    }

    /** Whether this request created a new schema version (false when an identical schema was already registered). */
    public boolean schemaVersionCreated() {
        return schemaVersionWritten && schemaVersion != null && !schemaVersion.deleted();
    }

    /** The dataset version now current for the request's dataset (or the one that soft-deletes it). */
    public Optional<DatasetVersion> datasetVersion() {
        return Optional.ofNullable(datasetVersion);
    }

    /** Whether this request wrote a new dataset metadata version. */
    public boolean datasetVersionCreated() {
        return datasetVersionWritten;
    }

    /** Whether the request changes the topic at all. */
    public boolean changesRegistry() {
        return schemaVersionWritten || datasetVersionWritten;
    }

    /** One line for people: what happened, or every reason for the rejection. */
    public String summary() {
        if (!accepted) {
            return "rejected " + request + ": " + String.join("; ", reasons);
        }
        StringBuilder text = new StringBuilder("accepted ").append(request).append(':');
        if (schemaVersion != null) {
            text.append(" subject ").append(schemaVersion.subject()).append(" version ").append(schemaVersion.version())
                .append(" id ").append(schemaVersion.id())
                .append(schemaVersion.deleted() ? " (deleted)" : schemaVersionWritten ? " (new)" : " (already registered)");
        }
        if (datasetVersion != null) {
            text.append(schemaVersion != null ? ";" : "").append(" dataset ").append(datasetVersion.name())
                .append(" version ").append(datasetVersion.version())
                .append(datasetVersion.deleted() ? " (deleted)" : datasetVersionWritten ? " (new)" : " (unchanged)");
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
