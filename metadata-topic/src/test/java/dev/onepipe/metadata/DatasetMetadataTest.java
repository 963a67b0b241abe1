package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class DatasetMetadataTest {

    private static final String SAMPLE = "{\n"
        + "  \"name\": \"widgets\",\n"
        + "  \"topic\": \"widgets\",\n"
        + "  \"valueSubject\": \"widgets-value\",\n"
        + "  \"uniqueKey\": [\"widget_id\"],\n"
        + "  \"ordering\": [\"updated_at\", \"version\"],\n"
        + "  \"eventTimeField\": \"updated_at\",\n"
        + "  \"merge\": {\"strategy\": \"LATEST_BY_FIELD\", \"field\": \"version\"},\n"
        + "  \"compatibility\": \"BACKWARD\",\n"
        + "  \"archive\": {\"enabled\": true, \"format\": \"parquet\"},\n"
        + "  \"reconciliation\": [{\"name\": \"distinct_widgets\", \"kind\": \"COUNT_DISTINCT\", \"field\": \"widget_id\"}],\n"
        + "  \"owner\": \"catalog-team\",\n"
        + "  \"description\": \"Widget catalog changelog\"\n"
        + "}";

    @Test
    void parsesTheDocumentedSample() {
        final DatasetMetadata metadata = DatasetMetadata.fromJson(SAMPLE);
        assertEquals("widgets", metadata.name());
        assertEquals("widgets", metadata.topic());
        assertEquals("widgets-value", metadata.valueSubject());
        assertEquals(List.of("widget_id"), metadata.uniqueKey());
        assertEquals(List.of("updated_at", "version"), metadata.ordering());
        assertEquals(Optional.of("updated_at"), metadata.eventTimeField());
        assertEquals(MergeStrategy.Kind.LATEST_BY_FIELD, metadata.merge().kind());
        assertEquals(Optional.of("version"), metadata.merge().field());
        assertEquals(CompatibilityMode.BACKWARD, metadata.compatibility());
        assertTrue(metadata.archive().enabled());
        assertEquals("parquet", metadata.archive().format());
        assertEquals(List.of(ReconciliationCheck.of("distinct_widgets", ReconciliationCheck.Kind.COUNT_DISTINCT,
            "widget_id")), metadata.reconciliation());
        assertEquals(Optional.of("catalog-team"), metadata.owner());
        assertEquals(Optional.of("Widget catalog changelog"), metadata.description());
    }

    @Test
    void appliesDefaults() {
        final DatasetMetadata metadata = DatasetMetadata.fromJson("{\"name\": \"clicks\", \"uniqueKey\": \"click_id\"}");
        assertEquals("clicks", metadata.topic());
        assertEquals("clicks-value", metadata.valueSubject());
        assertEquals(CompatibilityMode.BACKWARD, metadata.compatibility());
        assertEquals(MergeStrategy.Kind.LAST_SEEN, metadata.merge().kind());
        assertEquals(List.of("click_id"), metadata.uniqueKey());
        assertEquals(List.of(), metadata.ordering());
        assertEquals(ArchiveSettings.of(true, "parquet"), metadata.archive());
        assertEquals(Optional.empty(), metadata.eventTimeField());
    }

    @Test
    void acceptsTheTextFormOfAMergeStrategy() {
        final DatasetMetadata metadata = DatasetMetadata.fromJson(
            "{\"name\": \"a\", \"uniqueKey\": [\"id\"], \"merge\": \"vector_clock clock\"}");
        assertEquals(MergeStrategy.vectorClock("clock"), metadata.merge());
        assertEquals("VECTOR_CLOCK clock", metadata.merge().toString());
    }

    @Test
    void reportsEveryProblemAtOnce() {
        final InvalidDatasetMetadataException exception = assertThrows(InvalidDatasetMetadataException.class,
            () -> DatasetMetadata.fromJson("{\"name\": \"bad name\", \"uniqueKeys\": [\"id\"],"
                + " \"compatibility\": \"SIDEWAYS\", \"merge\": {\"strategy\": \"LATEST_BY_FIELD\"},"
                + " \"reconciliation\": [{\"name\": \"s\", \"kind\": \"SUM\"}, {\"name\": \"s\", \"kind\": \"MEDIAN\"}],"
                + " \"ordering\": [\"a\", \"a\"]}"));
        assertEquals(List.of(
            "unknown attribute 'uniqueKeys', known attributes are [name, topic, valueSubject, uniqueKey, ordering,"
                + " eventTimeField, merge, compatibility, archive, dedupHorizon, reconciliation, owner, description, topicSettings]",
            "compatibility: unknown mode 'SIDEWAYS', expected one of [NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD,"
                + " FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE]",
            "merge: merge strategy LATEST_BY_FIELD needs a field",
            "reconciliation[0]: reconciliation check 's' of kind SUM needs a field",
            "reconciliation[1]: unknown reconciliation kind 'MEDIAN', expected one of [COUNT_DISTINCT, SUM, MIN, MAX,"
                + " CHECKSUM]",
            "name 'bad name' must be 1 to 249 characters from [A-Za-z0-9._-]",
            "uniqueKey must name at least one field",
            "ordering names field 'a' twice"), exception.problems());
    }

    @Test
    void rejectsMalformedJsonAndWrongTypes() {
        assertEquals(List.of("dataset metadata must be a JSON object"),
            assertThrows(InvalidDatasetMetadataException.class, () -> DatasetMetadata.fromJson("[1]")).problems());
        assertTrue(assertThrows(InvalidDatasetMetadataException.class, () -> DatasetMetadata.fromJson("{"))
            .problems().get(0).startsWith("not valid JSON"));
        assertEquals(List.of("topic must be a string, got number"), assertThrows(InvalidDatasetMetadataException.class,
            () -> DatasetMetadata.fromJson("{\"name\": \"a\", \"uniqueKey\": [\"id\"], \"topic\": 5}")).problems());
        assertEquals(List.of("merge: merge strategy FIRST_SEEN takes no field, got 'x'"),
            assertThrows(InvalidDatasetMetadataException.class, () -> DatasetMetadata.fromJson(
                "{\"name\": \"a\", \"uniqueKey\": [\"id\"], \"merge\": {\"strategy\": \"FIRST_SEEN\", \"field\": \"x\"}}"))
                .problems());
    }

    @Test
    void dedupHorizonDefaultsToSevenDaysParsesAsIso8601AndMustBePositive() {
        assertEquals(java.time.Duration.ofDays(7),
            DatasetMetadata.fromJson("{\"name\": \"a\", \"uniqueKey\": [\"id\"]}").dedupHorizon());
        final DatasetMetadata twelveHours = DatasetMetadata.fromJson(
            "{\"name\": \"a\", \"uniqueKey\": [\"id\"], \"dedupHorizon\": \"PT12H\"}");
        assertEquals(java.time.Duration.ofHours(12), twelveHours.dedupHorizon());
        assertTrue(twelveHours.toJson().contains("\"dedupHorizon\" : \"PT12H\""), twelveHours.toJson());
        assertEquals(twelveHours, DatasetMetadata.fromJson(twelveHours.toJson()));
        assertEquals(List.of("dedupHorizon: 'seven days' is not an ISO-8601 duration such as P7D or PT12H"),
            assertThrows(InvalidDatasetMetadataException.class, () -> DatasetMetadata.fromJson(
                "{\"name\": \"a\", \"uniqueKey\": [\"id\"], \"dedupHorizon\": \"seven days\"}")).problems());
        assertEquals(List.of("dedupHorizon must be positive, got PT0S"),
            assertThrows(InvalidDatasetMetadataException.class, () -> DatasetMetadata.fromJson(
                "{\"name\": \"a\", \"uniqueKey\": [\"id\"], \"dedupHorizon\": \"PT0S\"}")).problems());
        assertThrows(InvalidDatasetMetadataException.class,
            () -> DatasetMetadata.builder("a").uniqueKey("id").dedupHorizon(java.time.Duration.ofHours(-1)).build());
    }

    @Test
    void toJsonWritesEveryDefaultAndParsesBackToTheSameMetadata() {
        final DatasetMetadata metadata = DatasetMetadata.fromJson(SAMPLE);
        assertEquals(metadata, DatasetMetadata.fromJson(metadata.toJson()));
        final DatasetMetadata minimal = DatasetMetadata.fromJson("{\"name\": \"clicks\", \"uniqueKey\": [\"id\"]}");
        assertTrue(minimal.toJson().contains("\"valueSubject\" : \"clicks-value\""), minimal.toJson());
        assertEquals(minimal, DatasetMetadata.fromJson(minimal.toJson()));
    }

    @Test
    void topicSettingsDefaultParseAndPrint() {
        final DatasetMetadata defaults = DatasetMetadata.fromJson("{\"name\": \"clicks\", \"uniqueKey\": \"click_id\"}");
        assertEquals(TopicSettings.DEFAULT, defaults.topicSettings());
        assertEquals(4, defaults.topicSettings().partitions());
        assertTrue(defaults.topicSettings().replicationFactor().isEmpty());
        assertEquals(604_800_000L, defaults.topicSettings().retentionMs());
        assertEquals("delete", defaults.topicSettings().cleanupPolicy());

        final DatasetMetadata given = DatasetMetadata.fromJson("{\"name\": \"clicks\", \"uniqueKey\": \"click_id\","
            + " \"topicSettings\": {\"partitions\": 12, \"replicationFactor\": 3, \"retentionMs\": -1,"
            + " \"cleanupPolicy\": \"delete, compact\"}}");
        assertEquals(TopicSettings.of(12, 3, -1L, "compact,delete"), given.topicSettings());
        assertEquals(given, DatasetMetadata.fromJson(given.toJson()));
        assertTrue(given.toJson().contains("\"cleanupPolicy\" : \"compact,delete\""), given.toJson());
        assertEquals(defaults, DatasetMetadata.fromJson(defaults.toJson()));
        assertTrue(!defaults.toJson().contains("replicationFactor"), defaults.toJson());
    }

    @Test
    void invalidTopicSettingsAreReportedTogether() {
        final InvalidDatasetMetadataException error = org.junit.jupiter.api.Assertions.assertThrows(
            InvalidDatasetMetadataException.class, () -> DatasetMetadata.fromJson("{\"name\": \"clicks\","
                + " \"uniqueKey\": \"click_id\", \"topicSettings\": {\"partitions\": 0, \"retentionMs\": 0,"
                + " \"cleanupPolicy\": \"forever\", \"replicas\": 3}}"));
        final String message = error.getMessage();
        assertTrue(message.contains("topicSettings: unknown attribute 'replicas'"), message);
        final InvalidDatasetMetadataException invalid = org.junit.jupiter.api.Assertions.assertThrows(
            InvalidDatasetMetadataException.class, () -> DatasetMetadata.fromJson("{\"name\": \"clicks\","
                + " \"uniqueKey\": \"click_id\", \"topicSettings\": {\"partitions\": 0, \"retentionMs\": 0,"
                + " \"cleanupPolicy\": \"forever\"}}"));
        assertTrue(invalid.getMessage().contains("partitions must be 1 or more, got 0"), invalid.getMessage());
        assertTrue(invalid.getMessage().contains("retentionMs must be 1 or more, or -1 for forever, got 0"), invalid.getMessage());
        assertTrue(invalid.getMessage().contains("cleanupPolicy must be one of [delete, compact, compact,delete]"),
            invalid.getMessage());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(InvalidDatasetMetadataException.class,
            () -> DatasetMetadata.fromJson("{\"name\": \"c\", \"uniqueKey\": \"id\", \"topicSettings\": {\"partitions\": 1.5}}"))
            .getMessage().contains("topicSettings.partitions must be a whole number, got 1.5"));
    }
}
