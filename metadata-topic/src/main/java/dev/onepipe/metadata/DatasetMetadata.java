package dev.onepipe.metadata;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Everything the pipeline needs to know about a dataset besides its schema: the topic, the subject its values are
 * registered under, what uniquely identifies a record, how records are ordered and merged, how compatible new
 * schema versions must be, whether it is archived, and how its copies are reconciled.
 *
 * <p>Instances are immutable and structurally valid (names, required attributes, no duplicates); whether the named
 * fields exist in the schema is checked by {@link DatasetMetadataValidator}. The JSON form is fixed (see
 * {@link #fromJson(String)}); defaults: {@code topic} = name, {@code valueSubject} = {@code <name>-value},
 * {@code compatibility} = BACKWARD, {@code merge} = LAST_SEEN, {@code archive} = enabled Parquet,
 * {@code dedupHorizon} = {@link #DEFAULT_DEDUP_HORIZON}, empty lists.
 */
public final class DatasetMetadata {

    public static final String VALUE_SUBJECT_SUFFIX = "-value";
    /** How long the dedup topology keeps a key's merged state after its event time unless the dataset says otherwise. */
    public static final Duration DEFAULT_DEDUP_HORIZON = Duration.ofDays(7);

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Set<String> KNOWN_ATTRIBUTES = new LinkedHashSet<>(List.of(
        "name", "topic", "valueSubject", "uniqueKey", "ordering", "eventTimeField", "merge", "compatibility",
        "archive", "dedupHorizon", "reconciliation", "owner", "description", "topicSettings"));

    private final String name;
    private final String topic;
    private final String valueSubject;
    private final List<String> uniqueKey;
    private final List<String> ordering;
    private final String eventTimeField;
    private final MergeStrategy merge;
    private final CompatibilityMode compatibility;
    private final ArchiveSettings archive;
    private final Duration dedupHorizon;
    private final List<ReconciliationCheck> reconciliation;
    private final String owner;
    private final String description;
    private final TopicSettings topicSettings;

    private DatasetMetadata(Builder builder) {
        this.name = builder.name;
        this.topic = builder.topic == null ? builder.name : builder.topic;
        this.valueSubject = builder.valueSubject == null ? builder.name + VALUE_SUBJECT_SUFFIX : builder.valueSubject;
        this.uniqueKey = List.copyOf(builder.uniqueKey);
        this.ordering = List.copyOf(builder.ordering);
        this.eventTimeField = builder.eventTimeField;
        this.merge = builder.merge;
        this.compatibility = builder.compatibility;
        this.archive = builder.archive;
        this.dedupHorizon = builder.dedupHorizon;
        this.reconciliation = List.copyOf(builder.reconciliation);
        this.owner = builder.owner;
        this.description = builder.description;
        this.topicSettings = builder.topicSettings;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder holding this metadata, for deriving a changed copy. */
    public Builder toBuilder() {
        Builder builder = new Builder(name)
            .topic(topic)
            .valueSubject(valueSubject)
            .uniqueKey(uniqueKey)
            .ordering(ordering)
            .eventTimeField(eventTimeField)
            .merge(merge)
            .compatibility(compatibility)
            .archive(archive)
            .dedupHorizon(dedupHorizon)
            .owner(owner)
            .description(description)
            .topicSettings(topicSettings);
        reconciliation.forEach(builder::addReconciliation);
        return builder;
    }

    /**
     * Parses the dataset metadata JSON format:
     * <pre>{@code
     * {"name": "widgets", "topic": "widgets", "valueSubject": "widgets-value",
     *  "uniqueKey": ["widget_id"], "ordering": ["updated_at", "version"], "eventTimeField": "updated_at",
     *  "merge": {"strategy": "LATEST_BY_FIELD", "field": "version"}, "compatibility": "BACKWARD",
     *  "archive": {"enabled": true, "format": "parquet"}, "dedupHorizon": "P7D",
     *  "reconciliation": [{"name": "distinct_widgets", "kind": "COUNT_DISTINCT", "field": "widget_id"}],
     *  "owner": "catalog-team", "description": "Widget catalog changelog",
     *  "topicSettings": {"partitions": 4, "replicationFactor": 3, "retentionMs": 604800000, "cleanupPolicy": "delete"}}
     * }</pre>
     * Only {@code name} and {@code uniqueKey} are required. {@code merge} may also be the text form
     * {@code "LATEST_BY_FIELD version"}. {@code dedupHorizon} is an ISO-8601 duration ({@link Duration#parse}): how long
     * after its event time the dedup topology keeps a key's merged state. Unknown attributes are rejected so a misspelt one is not silently ignored.
     *
     * @throws InvalidDatasetMetadataException listing every problem found
     */
    public static DatasetMetadata fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException exception) {
            throw new InvalidDatasetMetadataException(List.of("not valid JSON: " + exception.getOriginalMessage()));
        }
        return fromJson(root);
    }

    /** @see #fromJson(String) */
    public static DatasetMetadata fromJson(JsonNode root) {
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new InvalidDatasetMetadataException(List.of("dataset metadata must be a JSON object"));
        }
        Iterator<String> attributeNames = root.fieldNames();
        while (attributeNames.hasNext()) {
            String attribute = attributeNames.next();
            if (!KNOWN_ATTRIBUTES.contains(attribute)) {
                problems.add("unknown attribute '" + attribute + "', known attributes are " + KNOWN_ATTRIBUTES);
            }
        }
        Builder builder = new Builder(text(root, "name", problems));
        builder.topic(text(root, "topic", problems));
        builder.valueSubject(text(root, "valueSubject", problems));
        builder.uniqueKey(textList(root, "uniqueKey", problems));
        builder.ordering(textList(root, "ordering", problems));
        builder.eventTimeField(text(root, "eventTimeField", problems));
        builder.owner(text(root, "owner", problems));
        builder.description(text(root, "description", problems));
        String compatibility = text(root, "compatibility", problems);
        if (compatibility != null) {
            try {
                builder.compatibility(CompatibilityMode.valueOf(compatibility.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException exception) {
                problems.add("compatibility: unknown mode '" + compatibility + "', expected one of "
                    + java.util.Arrays.toString(CompatibilityMode.values()));
            }
        }
        parseMerge(root.get("merge"), builder, problems);
        parseArchive(root.get("archive"), builder, problems);
        parseDedupHorizon(text(root, "dedupHorizon", problems), builder, problems);
        parseReconciliation(root.get("reconciliation"), builder, problems);
        parseTopicSettings(root.get("topicSettings"), builder, problems);
        problems.addAll(builder.problems());
        if (!problems.isEmpty()) {
            throw new InvalidDatasetMetadataException(problems);
        }
        return builder.build();
    }

    private static void parseMerge(JsonNode merge, Builder builder, List<String> problems) {
        if (merge == null || merge.isNull()) {
            return;
        }
        try {
            if (merge.isTextual()) {
                builder.merge(MergeStrategy.parse(merge.asText()));
            } else if (merge.isObject()) {
                String strategy = text(merge, "strategy", problems);
                if (strategy == null) {
                    problems.add("merge.strategy is required");
                    return;
                }
                builder.merge(MergeStrategy.of(MergeStrategy.parseKind(strategy), text(merge, "field", problems)));
            } else {
                problems.add("merge must be an object {\"strategy\": ..., \"field\": ...} or text");
            }
        } catch (IllegalArgumentException exception) {
            problems.add("merge: " + exception.getMessage());
        }
    }

    private static void parseArchive(JsonNode archive, Builder builder, List<String> problems) {
        if (archive == null || archive.isNull()) {
            return;
        }
        if (!archive.isObject()) {
            problems.add("archive must be an object {\"enabled\": ..., \"format\": ...}");
            return;
        }
        JsonNode enabled = archive.get("enabled");
        if (enabled != null && !enabled.isBoolean()) {
            problems.add("archive.enabled must be true or false");
            return;
        }
        String format = text(archive, "format", problems);
        try {
            builder.archive(ArchiveSettings.of(enabled == null || enabled.asBoolean(),
                format == null ? ArchiveSettings.DEFAULT_FORMAT : format));
        } catch (IllegalArgumentException exception) {
            problems.add("archive: " + exception.getMessage());
        }
    }

    private static void parseDedupHorizon(String horizon, Builder builder, List<String> problems) {
        if (horizon == null) {
            return;
        }
        try {
            builder.dedupHorizon(Duration.parse(horizon.trim()));
        } catch (DateTimeParseException exception) {
            problems.add("dedupHorizon: '" + horizon + "' is not an ISO-8601 duration such as P7D or PT12H");
        }
    }

    private static final Set<String> TOPIC_SETTINGS_ATTRIBUTES =
        new LinkedHashSet<>(List.of("partitions", "replicationFactor", "retentionMs", "cleanupPolicy"));

    /** {@code "topicSettings": {"partitions": 4, "replicationFactor": 3, "retentionMs": 604800000, "cleanupPolicy": "delete"}}. */
    private static void parseTopicSettings(JsonNode settings, Builder builder, List<String> problems) {
        if (settings == null || settings.isNull()) {
            return;
        }
        if (!settings.isObject()) {
            problems.add("topicSettings must be an object {\"partitions\", \"replicationFactor\", \"retentionMs\","
                + " \"cleanupPolicy\"}");
            return;
        }
        Iterator<String> names = settings.fieldNames();
        while (names.hasNext()) {
            String attribute = names.next();
            if (!TOPIC_SETTINGS_ATTRIBUTES.contains(attribute)) {
                problems.add("topicSettings: unknown attribute '" + attribute + "', known attributes are "
                    + TOPIC_SETTINGS_ATTRIBUTES);
            }
        }
        int before = problems.size();
        Long partitions = whole(settings, "partitions", problems);
        Long replicationFactor = whole(settings, "replicationFactor", problems);
        Long retentionMs = whole(settings, "retentionMs", problems);
        String cleanupPolicy = text(settings, "cleanupPolicy", problems);
        if (problems.size() > before) {
            return;
        }
        try {
            builder.topicSettings(TopicSettings.of(partitions == null ? null : Math.toIntExact(partitions),
                replicationFactor == null ? null : Math.toIntExact(replicationFactor), retentionMs, cleanupPolicy));
        } catch (IllegalArgumentException | ArithmeticException exception) {
            problems.add("topicSettings: " + exception.getMessage());
        }
    }

    private static Long whole(JsonNode parent, String attribute, List<String> problems) {
        JsonNode node = parent.get(attribute);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            problems.add("topicSettings." + attribute + " must be a whole number, got " + node);
            return null;
        }
        return node.longValue();
    }

    private static void parseReconciliation(JsonNode checks, Builder builder, List<String> problems) {
        if (checks == null || checks.isNull()) {
            return;
        }
        if (!checks.isArray()) {
            problems.add("reconciliation must be an array of {\"name\", \"kind\", \"field\"}");
            return;
        }
        for (int index = 0; index < checks.size(); index++) {
            JsonNode check = checks.get(index);
            if (!check.isObject()) {
                problems.add("reconciliation[" + index + "] must be an object");
                continue;
            }
            String kind = text(check, "kind", problems);
            try {
                if (kind == null) {
                    throw new IllegalArgumentException("kind is required");
                }
                builder.addReconciliation(ReconciliationCheck.of(text(check, "name", problems),
                    ReconciliationCheck.Kind.parse(kind), text(check, "field", problems)));
            } catch (IllegalArgumentException exception) {
                problems.add("reconciliation[" + index + "]: " + exception.getMessage());
            }
        }
    }

    private static String text(JsonNode parent, String attribute, List<String> problems) {
        JsonNode node = parent.get(attribute);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            problems.add(attribute + " must be a string, got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
            return null;
        }
        return node.asText();
    }

    private static List<String> textList(JsonNode parent, String attribute, List<String> problems) {
        JsonNode node = parent.get(attribute);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (!node.isArray()) {
            problems.add(attribute + " must be an array of field names");
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                problems.add(attribute + " must contain only field names (strings)");
                return List.of();
            }
            values.add(element.asText());
        }
        return values;
    }

    /** The JSON form, with every default written out, in the documented attribute order. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("topic", topic);
        root.put("valueSubject", valueSubject);
        uniqueKey.forEach(root.putArray("uniqueKey")::add);
        ordering.forEach(root.putArray("ordering")::add);
        if (eventTimeField != null) {
            root.put("eventTimeField", eventTimeField);
        }
        ObjectNode mergeNode = root.putObject("merge");
        mergeNode.put("strategy", merge.kind().name());
        merge.field().ifPresent(field -> mergeNode.put("field", field));
        root.put("compatibility", compatibility.name());
        ObjectNode archiveNode = root.putObject("archive");
        archiveNode.put("enabled", archive.enabled());
        archiveNode.put("format", archive.format());
        root.put("dedupHorizon", dedupHorizon.toString());
        ArrayNode checks = root.putArray("reconciliation");
        for (ReconciliationCheck check : reconciliation) {
            ObjectNode checkNode = checks.addObject();
            checkNode.put("name", check.name());
            checkNode.put("kind", check.kind().name());
            check.field().ifPresent(field -> checkNode.put("field", field));
        }
        if (owner != null) {
            root.put("owner", owner);
        }
        if (description != null) {
            root.put("description", description);
        }
        ObjectNode topicNode = root.putObject("topicSettings");
        topicNode.put("partitions", topicSettings.partitions());
        topicSettings.replicationFactor().ifPresent(factor -> topicNode.put("replicationFactor", factor));
        topicNode.put("retentionMs", topicSettings.retentionMs());
        topicNode.put("cleanupPolicy", topicSettings.cleanupPolicy());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException exception) {
            throw new IllegalStateException("Jackson could not write a tree it built", exception);
        }
    }

    public String name() {
        return name;
    }

    public String topic() {
        return topic;
    }

    public String valueSubject() {
        return valueSubject;
    }

    public List<String> uniqueKey() {
        return uniqueKey;
    }

    public List<String> ordering() {
        return ordering;
    }

    public Optional<String> eventTimeField() {
        return Optional.ofNullable(eventTimeField);
    }

    public MergeStrategy merge() {
        return merge;
    }

    public CompatibilityMode compatibility() {
        return compatibility;
    }

    public ArchiveSettings archive() {
        return archive;
    }

    /** How long after its event time the dedup topology keeps a key's merged state (positive). */
    public Duration dedupHorizon() {
        return dedupHorizon;
    }

    public List<ReconciliationCheck> reconciliation() {
        return reconciliation;
    }

    public Optional<String> owner() {
        return Optional.ofNullable(owner);
    }

    public Optional<String> description() {
        return Optional.ofNullable(description);
    }

    /** What the dataset's topic (and its dead-letter topic) is created with; {@link TopicSettings#DEFAULT} if unset. */
    public TopicSettings topicSettings() {
        return topicSettings;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof DatasetMetadata)) {
            return false;
        }
        DatasetMetadata that = (DatasetMetadata) other;
        return name.equals(that.name) && topic.equals(that.topic) && valueSubject.equals(that.valueSubject)
            && uniqueKey.equals(that.uniqueKey) && ordering.equals(that.ordering)
            && Objects.equals(eventTimeField, that.eventTimeField) && merge.equals(that.merge)
            && compatibility == that.compatibility && archive.equals(that.archive) && dedupHorizon.equals(that.dedupHorizon)
            && reconciliation.equals(that.reconciliation) && Objects.equals(owner, that.owner)
            && Objects.equals(description, that.description) && topicSettings.equals(that.topicSettings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, topic, valueSubject, uniqueKey, ordering, eventTimeField, merge, compatibility,
            archive, dedupHorizon, reconciliation, owner, description, topicSettings);
    }

    @Override
    public String toString() {
        return "DatasetMetadata{name=" + name + ", topic=" + topic + ", valueSubject=" + valueSubject
            + ", uniqueKey=" + uniqueKey + ", ordering=" + ordering + ", eventTimeField=" + eventTimeField
            + ", merge=" + merge + ", compatibility=" + compatibility + ", archive=" + archive + ", dedupHorizon=" + dedupHorizon
            + ", reconciliation=" + reconciliation + ", owner=" + owner + ", topicSettings=" + topicSettings + "}";
    }

    /** Builds structurally valid metadata; {@link #build()} reports every problem at once. */
    public static final class Builder {

        private final String name;
        private String topic;
        private String valueSubject;
        private List<String> uniqueKey = List.of();
        private List<String> ordering = List.of();
        private String eventTimeField;
        private MergeStrategy merge = MergeStrategy.DEFAULT;
        private CompatibilityMode compatibility = CompatibilityMode.DEFAULT;
        private ArchiveSettings archive = ArchiveSettings.DEFAULT;
        private Duration dedupHorizon = DEFAULT_DEDUP_HORIZON;
        private final List<ReconciliationCheck> reconciliation = new ArrayList<>();
        private String owner;
        private String description;
        private TopicSettings topicSettings = TopicSettings.DEFAULT;

        private Builder(String name) {
            this.name = name;
        }

        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder valueSubject(String valueSubject) {
            this.valueSubject = valueSubject;
            return this;
        }

        public Builder uniqueKey(List<String> fields) {
            this.uniqueKey = List.copyOf(fields);
            return this;
        }

        public Builder uniqueKey(String... fields) {
            return uniqueKey(List.of(fields));
        }

        public Builder ordering(List<String> fields) {
            this.ordering = List.copyOf(fields);
            return this;
        }

        public Builder ordering(String... fields) {
            return ordering(List.of(fields));
        }

        public Builder eventTimeField(String field) {
            this.eventTimeField = field;
            return this;
        }

        public Builder merge(MergeStrategy merge) {
            this.merge = Objects.requireNonNull(merge, "merge");
            return this;
        }

        public Builder compatibility(CompatibilityMode compatibility) {
            this.compatibility = Objects.requireNonNull(compatibility, "compatibility");
            return this;
        }

        public Builder archive(ArchiveSettings archive) {
            this.archive = Objects.requireNonNull(archive, "archive");
            return this;
        }

        public Builder dedupHorizon(Duration horizon) {
            this.dedupHorizon = Objects.requireNonNull(horizon, "horizon");
            return this;
        }

        public Builder addReconciliation(ReconciliationCheck check) {
            this.reconciliation.add(Objects.requireNonNull(check, "check"));
            return this;
        }

        public Builder owner(String owner) {
            this.owner = owner;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        public Builder topicSettings(TopicSettings topicSettings) {
            this.topicSettings = Objects.requireNonNull(topicSettings, "topicSettings");
            return this;
        }

        /** @throws InvalidDatasetMetadataException listing every problem */
        public DatasetMetadata build() {
            List<String> problems = problems();
            if (!problems.isEmpty()) {
                throw new InvalidDatasetMetadataException(problems);
            }
            return new DatasetMetadata(this);
        }

        List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (!MetadataKey.isValidName(name)) {
                problems.add("name '" + name + "' must be 1 to " + MetadataKey.MAXIMUM_NAME_LENGTH
                    + " characters from [A-Za-z0-9._-]");
            }
            if (topic != null && (!TOPIC_NAME.matcher(topic).matches() || ".".equals(topic) || "..".equals(topic))) {
                problems.add("topic '" + topic + "' is not a legal Kafka topic name");
            }
            if (valueSubject != null && !MetadataKey.isValidName(valueSubject)) {
                problems.add("valueSubject '" + valueSubject + "' must be 1 to " + MetadataKey.MAXIMUM_NAME_LENGTH
                    + " characters from [A-Za-z0-9._-]");
            }
            if (uniqueKey.isEmpty()) {
                problems.add("uniqueKey must name at least one field");
            }
            checkFieldNames("uniqueKey", uniqueKey, problems);
            checkFieldNames("ordering", ordering, problems);
            if (dedupHorizon.isNegative() || dedupHorizon.isZero()) {
                problems.add("dedupHorizon must be positive, got " + dedupHorizon);
            }
            if (eventTimeField != null && eventTimeField.isBlank()) {
                problems.add("eventTimeField must not be blank");
            }
            Set<String> checkNames = new HashSet<>();
            for (ReconciliationCheck check : reconciliation) {
                if (!checkNames.add(check.name())) {
                    problems.add("reconciliation check name '" + check.name() + "' is used twice");
                }
            }
            return problems;
        }

        private static void checkFieldNames(String attribute, List<String> fields, List<String> problems) {
            Set<String> seen = new HashSet<>();
            for (String field : fields) {
                if (field == null || field.isBlank()) {
                    problems.add(attribute + " contains a blank field name");
                } else if (!seen.add(field)) {
                    problems.add(attribute + " names field '" + field + "' twice");
                }
            }
        }
    }
}
