package dev.onepipe.metadata;

import static dev.onepipe.metadata.TestRegistry.WIDGETS_V1;
import static dev.onepipe.metadata.TestRegistry.WIDGETS_V2;
import static dev.onepipe.metadata.TestRegistry.parse;
import static dev.onepipe.metadata.TestRegistry.planner;
import static dev.onepipe.metadata.TestRegistry.register;
import static dev.onepipe.metadata.TestRegistry.widgets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RegistrationPlannerTest {

    private static String reasons(final RegistrationResult result) {
        return String.join("\n", result.reasons());
    }

    @Test
    void firstRegistrationsTakeVersionOneAndConsecutiveIds() {
        final MetadataCatalog catalog = new MetadataCatalog();
        final RegistrationResult first = register(catalog, RegistrationRequest.schema("a-value", WIDGETS_V1));
        final RegistrationResult second = register(catalog, RegistrationRequest.schema("b-value", WIDGETS_V1));
        final RegistrationResult third = register(catalog, RegistrationRequest.schema("a-value", WIDGETS_V2));
        assertEquals(List.of(1, 1, 1), List.of(first.schemaVersion().get().version(), first.schemaVersion().get().id(),
            second.schemaVersion().get().version()));
        assertEquals(2, second.schemaVersion().get().id());
        assertEquals(2, third.schemaVersion().get().version());
        assertEquals(3, third.schemaVersion().get().id());
        assertTrue(third.schemaVersionCreated());
        assertEquals(TestRegistry.NOW, third.schemaVersion().get().registeredAt());
    }

    @Test
    void registeringTheSameSchemaAgainReturnsTheExistingVersion() {
        final MetadataCatalog catalog = new MetadataCatalog();
        register(catalog, RegistrationRequest.schema("widgets-value", WIDGETS_V1));
        final String reformatted = "{\n  \"namespace\": \"example\", \"name\": \"Widget\",\n \"type\": \"record\","
            + " \"doc\": \"Widgets we sell\", \"fields\": ["
            + "{\"type\": \"string\", \"name\": \"widget_id\", \"doc\": \"the id\"},"
            + "{\"name\": \"name\", \"type\": {\"type\": \"string\"}},"
            + "{\"default\": null, \"name\": \"price\", \"type\": [\"null\", \"double\"]},"
            + "{\"name\": \"version\", \"type\": \"long\"},"
            + "{\"name\": \"updated_at\", \"type\": {\"logicalType\": \"timestamp-millis\", \"type\": \"long\"}}]}";
        final RegistrationPlan plan = planner().plan(catalog, RegistrationRequest.schema("widgets-value", reformatted));
        assertTrue(plan.result().accepted());
        assertTrue(plan.entries().isEmpty());
        assertFalse(plan.result().schemaVersionCreated());
        assertEquals(1, plan.result().schemaVersion().get().version());
        assertEquals(1, plan.result().schemaVersion().get().id());
    }

    @Test
    void aChangedDefaultIsANewVersionThoughTheParsingFormIsTheSame() {
        final MetadataCatalog catalog = new MetadataCatalog();
        register(catalog, RegistrationRequest.schema("widgets-value", WIDGETS_V2));
        final String otherDefault = WIDGETS_V2.replace("\"unpainted\"", "\"blue\"");
        assertEquals(SchemaIdentity.of(parse(WIDGETS_V2)).parsingForm(), SchemaIdentity.of(parse(otherDefault)).parsingForm());
        final RegistrationResult result = register(catalog, RegistrationRequest.schema("widgets-value", otherDefault));
        assertTrue(result.schemaVersionCreated());
        assertEquals(2, result.schemaVersion().get().version());
        assertEquals("blue", result.schemaVersion().get().schema().getField("color").defaultVal());
    }

    @Test
    void incompatibleSchemaIsRejectedNamingFieldAndRule() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        final String retyped = WIDGETS_V1.replace("{\"name\": \"name\", \"type\": \"string\"}",
            "{\"name\": \"name\", \"type\": \"int\"}");
        final RegistrationPlan plan = planner().plan(catalog, RegistrationRequest.datasetSchema("widgets", retyped));
        final RegistrationResult result = plan.result();
        assertFalse(result.accepted());
        assertTrue(plan.entries().isEmpty());
        assertEquals(1, result.violations().size());
        assertEquals("name", result.violations().get(0).fieldPath());
        assertTrue(reasons(result).contains("field 'name': TYPE_MISMATCH"), reasons(result));
        assertTrue(reasons(result).contains("BACKWARD rule"), reasons(result));
    }

    @Test
    void datasetCompatibilityModeGovernsItsSubject() {
        final MetadataCatalog catalog = new MetadataCatalog();
        register(catalog, RegistrationRequest.dataset(widgets().toBuilder().compatibility(CompatibilityMode.NONE).build(),
            WIDGETS_V1));
        final String withoutName = WIDGETS_V1.replace("{\"name\": \"name\", \"type\": \"string\"},", "")
            .replace("{\"name\": \"price\"", "{\"name\": \"name\", \"type\": \"int\", \"default\": 0},{\"name\": \"price\"");
        assertTrue(planner().plan(catalog, RegistrationRequest.datasetSchema("widgets", withoutName)).allAccepted());
        register(catalog, RegistrationRequest.metadata(widgets().toBuilder().compatibility(CompatibilityMode.FULL).build()));
        assertFalse(planner().plan(catalog, RegistrationRequest.datasetSchema("widgets", withoutName)).allAccepted());
    }

    @Test
    void aSubjectWithoutDatasetIsCheckedBackward() {
        final MetadataCatalog catalog = new MetadataCatalog();
        register(catalog, RegistrationRequest.schema("loose-value", WIDGETS_V1));
        final String addedRequired = WIDGETS_V1.replace("]}", ", {\"name\": \"extra\", \"type\": \"int\"}]}");
        final RegistrationResult result = planner().plan(catalog, RegistrationRequest.schema("loose-value", addedRequired))
            .result();
        assertFalse(result.accepted());
        assertEquals("extra", result.violations().get(0).fieldPath());
        assertEquals(CompatibilityMode.BACKWARD, result.violations().get(0).mode());
    }

    @Test
    void newSchemaMayNotDropOrRetypeAUniqueKeyField() {
        final MetadataCatalog catalog = new MetadataCatalog();
        register(catalog, RegistrationRequest.dataset(widgets().toBuilder().compatibility(CompatibilityMode.NONE).build(),
            WIDGETS_V1));
        final String dropped = WIDGETS_V1.replace("{\"name\": \"widget_id\", \"type\": \"string\"},", "");
        final RegistrationResult droppedResult =
            planner().plan(catalog, RegistrationRequest.datasetSchema("widgets", dropped)).result();
        assertFalse(droppedResult.accepted());
        assertTrue(reasons(droppedResult).contains("unique-key field 'widget_id' does not exist"), reasons(droppedResult));
        assertTrue(reasons(droppedResult).contains("unique-key field 'widget_id' of dataset 'widgets' was dropped"),
            reasons(droppedResult));

        final String retyped = WIDGETS_V1.replace("{\"name\": \"widget_id\", \"type\": \"string\"}",
            "{\"name\": \"widget_id\", \"type\": \"long\"}");
        final RegistrationResult retypedResult =
            planner().plan(catalog, RegistrationRequest.datasetSchema("widgets", retyped)).result();
        assertFalse(retypedResult.accepted());
        assertEquals(List.of("unique-key field 'widget_id' of dataset 'widgets' changed type from string to long;"
            + " a new schema version may not retype a unique-key field"), retypedResult.reasons());
    }

    @Test
    void schemaMustKeepEveryFieldTheDatasetMetadataNames() {
        final MetadataCatalog catalog = new MetadataCatalog();
        register(catalog, RegistrationRequest.dataset(widgets().toBuilder().compatibility(CompatibilityMode.NONE).build(),
            WIDGETS_V1));
        final String noVersion = WIDGETS_V1.replace("{\"name\": \"version\", \"type\": \"long\"},", "");
        final RegistrationResult result = planner().plan(catalog, RegistrationRequest.datasetSchema("widgets", noVersion))
            .result();
        assertFalse(result.accepted());
        assertEquals(List.of(
            "dataset 'widgets': ordering field 'version' does not exist in schema example.Widget",
            "dataset 'widgets': merge (LATEST_BY_FIELD) field 'version' does not exist in schema example.Widget"),
            result.reasons());
    }

    @Test
    void metadataIsValidatedAgainstItsSchema() {
        final DatasetMetadata broken = DatasetMetadata.builder("widgets")
            .uniqueKey("widget_id", "sku")
            .ordering("price")
            .eventTimeField("name")
            .merge(MergeStrategy.vectorClock("version"))
            .addReconciliation(ReconciliationCheck.of("total", ReconciliationCheck.Kind.SUM, "name"))
            .addReconciliation(ReconciliationCheck.of("rows", ReconciliationCheck.Kind.COUNT_DISTINCT, "missing"))
            .build();
        final RegistrationResult result = planner().plan(new MetadataCatalog(),
            RegistrationRequest.dataset(broken, WIDGETS_V1)).result();
        assertFalse(result.accepted());
        assertEquals(List.of(
            "dataset 'widgets': unique-key field 'sku' does not exist in schema example.Widget",
            "dataset 'widgets': event-time field 'name' has type string; it must be a long (epoch milliseconds or a"
                + " timestamp logical type)",
            "dataset 'widgets': merge (VECTOR_CLOCK) field 'version' has type long; a vector clock must be a map of"
                + " int or long counters",
            "dataset 'widgets': reconciliation 'total' (SUM) field 'name' has type string; SUM needs an int, long,"
                + " float, double or decimal field",
            "dataset 'widgets': reconciliation 'rows' (COUNT_DISTINCT) field 'missing' does not exist in schema"
                + " example.Widget"),
            result.reasons());
    }

    @Test
    void nullableUniqueKeyIsRejectedButNullableOrderingIsFine() {
        final DatasetMetadata metadata = DatasetMetadata.builder("widgets").uniqueKey("price").ordering("price").build();
        final RegistrationResult result = planner().plan(new MetadataCatalog(),
            RegistrationRequest.dataset(metadata, WIDGETS_V1)).result();
        assertEquals(List.of("dataset 'widgets': unique-key field 'price' has type [null, double]; a unique-key field"
            + " must be a non-null string, int, long, boolean or enum"), result.reasons());
    }

    @Test
    void metadataOnlyNeedsARegisteredSchema() {
        final RegistrationResult result = planner().plan(new MetadataCatalog(), RegistrationRequest.metadata(widgets()))
            .result();
        assertFalse(result.accepted());
        assertEquals(List.of("no schema is registered for subject 'widgets-value'; register the metadata together"
            + " with its schema"), result.reasons());
    }

    @Test
    void metadataIsVersionedAndIdenticalMetadataIsUnchanged() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        final RegistrationPlan same = planner().plan(catalog, RegistrationRequest.metadata(widgets()));
        assertTrue(same.entries().isEmpty());
        assertEquals(1, same.result().datasetVersion().get().version());
        assertFalse(same.result().datasetVersionCreated());

        final RegistrationResult changed = register(catalog,
            RegistrationRequest.metadata(widgets().toBuilder().description("now described").build()));
        assertTrue(changed.datasetVersionCreated());
        assertEquals(2, changed.datasetVersion().get().version());
        assertEquals(1, changed.schemaVersion().get().version());
        assertEquals("now described", catalog.dataset("widgets").get().metadata().description().get());
        assertEquals(2, catalog.datasetVersions("widgets").size());
    }

    @Test
    void aTopicBelongsToOneDataset() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        final DatasetMetadata gadgets = DatasetMetadata.builder("gadgets").topic("widgets").uniqueKey("widget_id").build();
        final RegistrationResult result = planner().plan(catalog, RegistrationRequest.dataset(gadgets, WIDGETS_V1)).result();
        assertEquals(List.of("topic 'widgets' already belongs to dataset 'widgets'"), result.reasons());
    }

    @Test
    void unparsableSchemaIsARejectionNotAnException() {
        final RegistrationResult result = planner().plan(new MetadataCatalog(),
            RegistrationRequest.schema("x-value", "{\"type\": \"record\", \"name\": \"X\", \"fields\": [{\"name\": \"a\"}]}"))
            .result();
        assertFalse(result.accepted());
        assertTrue(result.reasons().get(0).startsWith("schema does not parse: "), result.reasons().get(0));
    }

    @Test
    void softDeletedVersionKeepsItsIdIsSkippedAndItsNumberIsNotReused() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        register(catalog, RegistrationRequest.datasetSchema("widgets", WIDGETS_V2));
        final RegistrationResult deletion = register(catalog, RegistrationRequest.deleteSchemaVersion("widgets-value", 2));
        assertTrue(deletion.schemaVersion().get().deleted());
        assertEquals(2, deletion.schemaVersion().get().id());
        assertEquals(1, catalog.latestSchemaVersion("widgets-value").get().version());
        assertTrue(catalog.schemaById(2).get().deleted());

        final RegistrationResult again = register(catalog, RegistrationRequest.datasetSchema("widgets", WIDGETS_V2));
        assertTrue(again.schemaVersionCreated());
        assertEquals(3, again.schemaVersion().get().version());
        assertEquals(3, again.schemaVersion().get().id());

        final RegistrationPlan repeat = planner().plan(catalog, RegistrationRequest.deleteSchemaVersion("widgets-value", 2));
        assertTrue(repeat.result().accepted());
        assertTrue(repeat.entries().isEmpty());
        assertFalse(planner().plan(catalog, RegistrationRequest.deleteSchemaVersion("widgets-value", 9)).allAccepted());
    }

    @Test
    void softDeletedDatasetIsANewMetadataVersion() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        final RegistrationResult deletion = register(catalog, RegistrationRequest.deleteDataset("widgets"));
        assertEquals(2, deletion.datasetVersion().get().version());
        assertTrue(catalog.dataset("widgets").isEmpty());
        assertTrue(catalog.datasetForTopic("widgets").isEmpty());
        assertTrue(catalog.latestDatasetVersion("widgets").get().deleted());
        assertFalse(planner().plan(catalog, RegistrationRequest.datasetSchema("widgets", WIDGETS_V2)).allAccepted());

        final RegistrationResult restored = register(catalog, RegistrationRequest.metadata(widgets()));
        assertEquals(3, restored.datasetVersion().get().version());
        assertEquals("widgets", catalog.datasetForTopic("widgets").get().name());
    }

    @Test
    void planningSeveralRequestsSeesEarlierOnesWithoutChangingTheCatalog() {
        final MetadataCatalog catalog = new MetadataCatalog();
        final String v3 = WIDGETS_V2.replace("]}", ", {\"name\": \"size\", \"type\": \"int\", \"default\": 1}]}");
        final RegistrationPlan plan = planner().plan(catalog, List.of(
            RegistrationRequest.dataset(widgets(), WIDGETS_V1),
            RegistrationRequest.datasetSchema("widgets", WIDGETS_V2),
            RegistrationRequest.schema("widgets-value", WIDGETS_V1),
            RegistrationRequest.datasetSchema("widgets", v3)));
        assertTrue(plan.allAccepted());
        assertEquals(4, plan.entries().size());
        assertEquals(List.of("schema/widgets-value/1", "dataset/widgets/1", "schema/widgets-value/2",
            "schema/widgets-value/3"), plan.entries().stream().map(entry -> entry.key().toString()).toList());
        assertEquals(1, plan.results().get(2).schemaVersion().get().version());
        assertEquals(3, plan.results().get(3).schemaVersion().get().id());
        assertEquals(0, catalog.schemaVersionCount());
        assertEquals(0, catalog.maximumSchemaId());

        plan.records().forEach(catalog::apply);
        assertEquals(3, catalog.schemaVersionCount());
        assertEquals(plan.results().get(3).schemaVersion().get(), catalog.schemaById(3).get());
    }
}
