package dev.onepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class SampleDatasetsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METADATA_FIELDS = Set.of("name", "topic", "valueSubject", "uniqueKey", "ordering",
        "eventTimeField", "merge", "compatibility", "archive", "reconciliation", "owner", "description");
    private static final Set<String> MERGE_STRATEGIES =
        Set.of("LATEST_BY_FIELD", "FIRST_SEEN", "LAST_SEEN", "VECTOR_CLOCK", "FIELD_MERGE");
    private static final Set<String> STRATEGIES_WITH_FIELD = Set.of("LATEST_BY_FIELD", "VECTOR_CLOCK");
    private static final Set<String> RECONCILIATION_KINDS = Set.of("COUNT_DISTINCT", "SUM", "MIN", "MAX", "CHECKSUM");
    private static final Set<String> COMPATIBILITY_MODES =
        Set.of("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE");

    @Test
    void listsEverySampleDataset() {
        assertEquals(List.of("widgets", "ad-served", "ad-views", "ad-clicks", "campaigns", "ysb-events", "ysb-campaigns"),
            SampleDatasets.names());
    }

    @Test
    void schemasAreRecordsInTheTestDataNamespaceAndParsedOnce() {
        final Set<String> recordNames = new TreeSet<>();
        for (final String name : SampleDatasets.names()) {
            final Schema schema = SampleDatasets.schema(name);
            assertEquals(Schema.Type.RECORD, schema.getType(), name);
            assertEquals("dev.onepipe.testdata", schema.getNamespace(), name);
            assertSame(schema, SampleDatasets.schema(name), name + " must be cached");
            recordNames.add(schema.getName());
        }
        assertEquals(Set.of("Widget", "AdServed", "AdView", "AdClick", "Campaign", "YsbEvent", "YsbAdCampaign"), recordNames);
    }

    @Test
    void widgetSchemaHasTheAgreedFieldsAndDefaults() {
        final Schema schema = SampleDatasets.schema(SampleDatasets.WIDGETS);
        assertEquals(List.of("widget_id", "version", "updated_at", "name", "price", "status", "tags", "description"),
            schema.getFields().stream().map(Schema.Field::name).toList());
        assertEquals(List.of("ACTIVE", "DISCONTINUED", "DRAFT"), schema.getField("status").schema().getEnumSymbols());
        assertEquals(List.of(), schema.getField("tags").defaultVal());
        assertTrue(schema.getField("description").hasDefaultValue());
        assertEquals(Schema.Type.NULL, schema.getField("description").schema().getTypes().get(0).getType());
    }

    @Test
    void unknownDatasetIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SampleDatasets.schema("gadgets"));
        assertThrows(IllegalArgumentException.class, () -> SampleDatasets.metadataJson("gadgets"));
    }

    @Test
    void metadataUsesTheAgreedFormatAndNamesFieldsOfTheSchema() throws Exception {
        for (final String name : SampleDatasets.names()) {
            final JsonNode metadata = JSON.readTree(SampleDatasets.metadataJson(name));
            final Schema schema = SampleDatasets.schema(name);
            final Set<String> keys = new TreeSet<>();
            metadata.fieldNames().forEachRemaining(keys::add);
            assertEquals(new TreeSet<>(METADATA_FIELDS), keys, name);

            assertEquals(name, metadata.get("name").asText());
            assertEquals(name, metadata.get("topic").asText());
            assertEquals(name + "-value", metadata.get("valueSubject").asText());
            assertTrue(metadata.get("uniqueKey").size() >= 1, name + " needs a unique key");
            for (final String field : texts(metadata.get("uniqueKey"))) {
                assertFieldExists(schema, field, name + " uniqueKey");
            }
            for (final String field : texts(metadata.get("ordering"))) {
                assertFieldExists(schema, field, name + " ordering");
            }
            final String eventTimeField = metadata.get("eventTimeField").asText();
            assertFieldExists(schema, eventTimeField, name + " eventTimeField");
            assertEquals(LogicalTypes.timestampMillis(), schema.getField(eventTimeField).schema().getLogicalType(),
                name + " event time must be a timestamp-millis long");

            final JsonNode merge = metadata.get("merge");
            final String strategy = merge.get("strategy").asText();
            assertTrue(MERGE_STRATEGIES.contains(strategy), name + " merge strategy " + strategy);
            assertEquals(STRATEGIES_WITH_FIELD.contains(strategy), merge.has("field"), name + " merge field");
            if (merge.has("field")) {
                assertFieldExists(schema, merge.get("field").asText(), name + " merge field");
            }
            assertTrue(COMPATIBILITY_MODES.contains(metadata.get("compatibility").asText()), name + " compatibility");
            assertTrue(metadata.get("archive").get("enabled").isBoolean(), name + " archive.enabled");
            assertEquals("parquet", metadata.get("archive").get("format").asText(), name + " archive.format");

            assertTrue(metadata.get("reconciliation").size() >= 1, name + " needs a reconciliation check");
            for (final JsonNode check : metadata.get("reconciliation")) {
                assertNotNull(check.get("name"), name + " check name");
                assertTrue(RECONCILIATION_KINDS.contains(check.get("kind").asText()), name + " check kind " + check);
                assertFieldExists(schema, check.get("field").asText(), name + " check " + check.get("name"));
            }
            assertTrue(!metadata.get("owner").asText().isEmpty() && !metadata.get("description").asText().isEmpty(), name);
        }
    }

    @Test
    void widgetsMetadataIsTheAgreedExample() throws Exception {
        final JsonNode metadata = JSON.readTree(SampleDatasets.metadataJson(SampleDatasets.WIDGETS));
        assertEquals(List.of("widget_id"), texts(metadata.get("uniqueKey")));
        assertEquals(List.of("updated_at", "version"), texts(metadata.get("ordering")));
        assertEquals("updated_at", metadata.get("eventTimeField").asText());
        assertEquals("LATEST_BY_FIELD", metadata.get("merge").get("strategy").asText());
        assertEquals("version", metadata.get("merge").get("field").asText());
        assertEquals("catalog-team", metadata.get("owner").asText());
    }

    private static void assertFieldExists(final Schema schema, final String field, final String what) {
        assertNotNull(schema.getField(field), what + ": no field '" + field + "' in " + schema.getFullName());
    }

    private static List<String> texts(final JsonNode array) {
        final List<String> texts = new ArrayList<>();
        array.forEach(element -> texts.add(element.asText()));
        return texts;
    }
}
