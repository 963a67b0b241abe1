package dev.onepipe.metadata;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.AvroRuntimeException;

/**
 * Decides what registrations do, given the current catalog state: which entries to write, or why a request is
 * rejected. It is pure (it never changes the catalog it is given and does no I/O), so the single writer uses it after
 * reading the topic to its end, the CLI uses it for dry runs, and tests use it offline to compute entries and pipe
 * them into a {@code TopologyTestDriver} metadata topic.
 *
 * <p>Rules: ids are the highest id so far plus one, versions the highest version of the subject (soft-deleted ones
 * included) plus one, so neither is ever reused. A schema identical to an active version of the subject (see
 * {@link SchemaIdentity}) returns that version. A new schema must be compatible, in the mode of every dataset using
 * the subject (BACKWARD when none does), and keep every such dataset's metadata valid, including the rule that a
 * unique-key field is never dropped or retyped. Metadata must fit the schema it describes; identical metadata
 * returns the current version.
 */
public final class RegistrationPlanner {

    private final Clock clock;

    public RegistrationPlanner() {
        this(Clock.systemUTC());
    }

    /** A planner stamping registrations with the given clock (a fixed clock makes plans reproducible in tests). */
    public RegistrationPlanner(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Plans one request against the catalog state, without changing it. */
    public RegistrationPlan plan(MetadataCatalog state, RegistrationRequest request) {
        List<MetadataEntry> entries = new ArrayList<>();
        RegistrationResult result = planOne(state, request, entries);
        return new RegistrationPlan(List.of(result), entries);
    }

    /**
     * Plans requests in order, each seeing the entries planned for the ones before it (as if registered one after
     * another), without changing the given catalog. A rejected request writes nothing and does not stop the others.
     */
    public RegistrationPlan plan(MetadataCatalog state, List<RegistrationRequest> requests) {
        if (requests.size() == 1) {
            return plan(state, requests.get(0));
        }
        MetadataCatalog working = state.copy();
        List<MetadataEntry> entries = new ArrayList<>();
        List<RegistrationResult> results = new ArrayList<>(requests.size());
        for (RegistrationRequest request : requests) {
            List<MetadataEntry> planned = new ArrayList<>();
            results.add(planOne(working, request, planned));
            working.applyAll(planned);
            entries.addAll(planned);
        }
        return new RegistrationPlan(results, entries);
    }

    private RegistrationResult planOne(MetadataCatalog state, RegistrationRequest request,
                                       List<MetadataEntry> entries) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        switch (request.kind()) {
            case DELETE_DATASET:
                return planDatasetDeletion(state, request, now, entries);
            case DELETE_SCHEMA_VERSION:
                return planSchemaVersionDeletion(state, request, entries);
            default:
                return planRegistration(state, request, now, entries);
        }
    }

    private RegistrationResult planDatasetDeletion(MetadataCatalog state, RegistrationRequest request,
                                                   Instant now, List<MetadataEntry> entries) {
        String name = request.datasetName().orElseThrow();
        Optional<DatasetVersion> latest = state.latestDatasetVersion(name);
        if (latest.isEmpty()) {
            return RegistrationResult.rejected(request, List.of("no dataset named '" + name + "'"), List.of());
        }
        if (latest.get().deleted()) {
            return RegistrationResult.accepted(request, null, false, latest.get(), false);
        }
        DatasetVersion deletion = new DatasetVersion(latest.get().metadata(), latest.get().version() + 1, now, true);
        entries.add(deletion);
        return RegistrationResult.accepted(request, null, false, deletion, true);
    }

    private RegistrationResult planSchemaVersionDeletion(MetadataCatalog state, RegistrationRequest request,
                                                         List<MetadataEntry> entries) {
        String subject = request.subject().orElseThrow();
        Optional<SchemaVersion> existing = state.schemaVersion(subject, request.version());
        if (existing.isEmpty()) {
            return RegistrationResult.rejected(request,
                List.of("subject '" + subject + "' has no version " + request.version()), List.of());
        }
        if (existing.get().deleted()) {
            return RegistrationResult.accepted(request, existing.get(), false, null, false);
        }
        SchemaVersion deletion = existing.get().withDeleted(true);
        entries.add(deletion);
        return RegistrationResult.accepted(request, deletion, true, null, false);
    }

    private RegistrationResult planRegistration(MetadataCatalog state, RegistrationRequest request,
                                                Instant now, List<MetadataEntry> entries) {
        List<String> reasons = new ArrayList<>();
        DatasetMetadata metadata = request.metadata().orElse(null);

        String subject;
        if (metadata != null) {
            subject = metadata.valueSubject();
            state.datasetForTopic(metadata.topic())
                .filter(owner -> !owner.name().equals(metadata.name()))
                .ifPresent(owner -> reasons.add("topic '" + metadata.topic() + "' already belongs to dataset '"
                    + owner.name() + "'"));
        } else if (request.datasetName().isPresent()) {
            Optional<DatasetVersion> dataset = state.dataset(request.datasetName().get());
            if (dataset.isEmpty()) {
                return RegistrationResult.rejected(request, List.of("no dataset named '" + request.datasetName().get()
                    + "'; register its metadata first, or together with the schema"), List.of());
            }
            subject = dataset.get().metadata().valueSubject();
        } else {
            subject = request.subject().orElseThrow();
            if (!MetadataKey.isValidName(subject)) {
                reasons.add("subject '" + subject + "' must be 1 to " + MetadataKey.MAXIMUM_NAME_LENGTH
                    + " characters from [A-Za-z0-9._-]");
            }
        }

        Schema candidate = null;
        if (request.hasSchema()) {
            try {
                candidate = request.schema().isPresent() ? request.schema().get()
                    : MetadataEntryCodec.parseSchema(request.schemaText().orElseThrow());
            } catch (AvroRuntimeException exception) {
                reasons.add("schema does not parse: " + exception.getMessage());
            }
        }
        if (!reasons.isEmpty()) {
            return RegistrationResult.rejected(request, reasons, List.of());
        }

        Map<String, DatasetMetadata> governing = governingDatasets(state, subject, metadata);
        List<CompatibilityViolation> violations = new ArrayList<>();
        Optional<SchemaVersion> latest = state.latestSchemaVersion(subject);
        SchemaVersion schemaVersion = null;
        boolean schemaVersionWritten = false;

        if (candidate != null) {
            Optional<SchemaVersion> identical = state.findSchemaVersion(subject, candidate);
            for (DatasetMetadata dataset : governing.values()) {
                addAll(reasons, "dataset '" + dataset.name() + "': ", DatasetMetadataValidator.validate(dataset, candidate));
            }
            if (identical.isPresent()) {
                schemaVersion = identical.get();
                if (metadata != null && latest.isPresent() && latest.get() != identical.get()) {
                    addAll(reasons, "dataset '" + metadata.name() + "' (latest schema version "
                        + latest.get().version() + "): ", DatasetMetadataValidator.validate(metadata, latest.get().schema()));
                }
            } else {
                for (CompatibilityMode mode : modes(governing)) {
                    violations.addAll(SchemaCompatibilityChecker.check(mode, candidate, state.activeSchemaVersions(subject)));
                }
                if (latest.isPresent()) {
                    for (DatasetMetadata dataset : governing.values()) {
                        reasons.addAll(DatasetMetadataValidator.validateEvolution(dataset, latest.get().schema(), candidate));
                    }
                }
                if (reasons.isEmpty() && violations.isEmpty()) {
                    schemaVersion = SchemaVersion.create(subject, state.highestSchemaVersionNumber(subject) + 1,
                        state.maximumSchemaId() + 1, candidate, now);
                    schemaVersionWritten = true;
                }
            }
        } else if (metadata != null) {
            if (latest.isEmpty()) {
                reasons.add("no schema is registered for subject '" + subject
                    + "'; register the metadata together with its schema");
            } else {
                schemaVersion = latest.get();
                addAll(reasons, "", DatasetMetadataValidator.validate(metadata, latest.get().schema()));
            }
        }

        if (!reasons.isEmpty() || !violations.isEmpty()) {
            List<String> allReasons = new ArrayList<>(reasons);
            violations.forEach(violation -> allReasons.add(violation.toString()));
            return RegistrationResult.rejected(request, allReasons, violations);
        }
        if (schemaVersionWritten) {
            entries.add(schemaVersion);
        }

        DatasetVersion datasetVersion = null;
        boolean datasetVersionWritten = false;
        if (metadata != null) {
            Optional<DatasetVersion> current = state.latestDatasetVersion(metadata.name());
            if (current.isPresent() && !current.get().deleted() && current.get().metadata().equals(metadata)) {
                datasetVersion = current.get();
            } else {
                datasetVersion = new DatasetVersion(metadata, current.map(DatasetVersion::version).orElse(0) + 1, now, false);
                datasetVersionWritten = true;
                entries.add(datasetVersion);
            }
        } else if (request.datasetName().isPresent()) {
            datasetVersion = state.dataset(request.datasetName().get()).orElse(null);
        }
        return RegistrationResult.accepted(request, schemaVersion, schemaVersionWritten, datasetVersion,
            datasetVersionWritten);
    }

    /** The metadata of every active dataset whose values use the subject, with the request's metadata replacing its own. */
    private static Map<String, DatasetMetadata> governingDatasets(MetadataCatalog state, String subject,
                                                                  DatasetMetadata requested) {
        Map<String, DatasetMetadata> governing = new LinkedHashMap<>();
        for (DatasetVersion dataset : state.datasets()) {
            if (dataset.metadata().valueSubject().equals(subject)
                && (requested == null || !dataset.name().equals(requested.name()))) {
                governing.put(dataset.name(), dataset.metadata());
            }
        }
        if (requested != null) {
            governing.put(requested.name(), requested);
        }
        return governing;
    }

    private static Set<CompatibilityMode> modes(Map<String, DatasetMetadata> governing) {
        if (governing.isEmpty()) {
            return EnumSet.of(CompatibilityMode.DEFAULT);
        }
        Set<CompatibilityMode> modes = new LinkedHashSet<>();
        governing.values().forEach(dataset -> modes.add(dataset.compatibility()));
        return modes;
    }

    private static void addAll(List<String> reasons, String prefix, List<String> problems) {
        problems.forEach(problem -> reasons.add(prefix + problem));
    }
}
