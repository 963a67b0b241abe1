package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.RegistrationPlan;
import dev.onepipe.metadata.RegistrationPlanner;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.WireFormatException;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * How {@link CleanTopicReader} decodes the clean topic's values: under the clean dataset's own registration
 * ({@code widgets-clean}, subject {@code widgets-clean-value}), whose schema ids are not the source dataset's even for
 * the same schema; and what it says about a value it cannot read (the key, partition, offset and why).
 */
class CleanTopicReaderTest {

    private static final Schema SCHEMA = SampleDatasets.schema(SampleDatasets.WIDGETS);
    private static final DatasetMetadata WIDGETS = DatasetMetadata.fromJson(SampleDatasets.metadataJson(SampleDatasets.WIDGETS));

    /** The source dataset and its clean dataset, registered as dedup registers them, planned offline. */
    private static MetadataCatalog catalog(boolean withCleanDataset) {
        MetadataCatalog catalog = new MetadataCatalog();
        List<RegistrationRequest> requests = withCleanDataset
                ? List.of(RegistrationRequest.dataset(WIDGETS, SCHEMA), RegistrationRequest.dataset(CleanDatasetContract.metadataOf(WIDGETS), SCHEMA))
                : List.of(RegistrationRequest.dataset(WIDGETS, SCHEMA));
        RegistrationPlan plan = new RegistrationPlanner().plan(catalog, requests);
        assertTrue(plan.allAccepted(), plan.results().toString());
        plan.records().forEach(catalog::apply);
        return catalog;
    }

    private static GenericRecord widget() {
        GenericData.Record widget = new GenericData.Record(SCHEMA);
        widget.put("widget_id", "widget-007");
        widget.put("version", 3L);
        widget.put("updated_at", 1_795_000_000_000L);
        widget.put("name", "widget 7");
        widget.put("price", 12.5);
        widget.put("status", new GenericData.EnumSymbol(SCHEMA.getField("status").schema(), "ACTIVE"));
        widget.put("tags", List.of("blue"));
        widget.put("description", null);
        return widget;
    }

    private static int schemaId(MetadataCatalog catalog, String dataset) {
        return catalog.latestSchemaForDataset(dataset).orElseThrow().id();
    }

    @Test
    void decodesTheCleanTopicUnderTheCleanDatasetsOwnSubject() throws IOException {
        MetadataCatalog catalog = catalog(true);
        int cleanId = schemaId(catalog, "widgets-clean");
        assertNotEquals(schemaId(catalog, "widgets"), cleanId, "the same schema has an id per subject");
        assertEquals("widgets-clean-value", catalog.schemaById(cleanId).orElseThrow().subject());

        DatasetDeserializer<GenericRecord> decoder = CleanTopicReader.decoder(catalog, "widgets");
        GenericRecord read = CleanTopicReader.decode(decoder, "widgets-clean", "widget-007", 1, 40, CleanDatasetContract.wireFormat(cleanId, widget()));
        assertEquals(widget(), read);
    }

    @Test
    void aValueWithTheSourceDatasetsSchemaIdIsRefusedNamingTheRecordAndTheSubject() throws IOException {
        MetadataCatalog catalog = catalog(true);
        DatasetDeserializer<GenericRecord> decoder = CleanTopicReader.decoder(catalog, "widgets");
        int sourceId = schemaId(catalog, "widgets");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> CleanTopicReader.decode(decoder, "widgets-clean", "widget-007", 2, 17, CleanDatasetContract.wireFormat(sourceId, widget())));
        assertEquals("The latest value of key 'widget-007' on the clean topic widgets-clean cannot be read: UNDECODABLE: schema id " + sourceId
                + " belongs to subject widgets-value, not to widgets-clean-value of dataset widgets-clean [topic widgets-clean, partition 2, offset 17,"
                + " schema id " + sourceId + "]", refused.getMessage());
        assertInstanceOf(WireFormatException.class, refused.getCause());
    }

    @Test
    void bytesThatAreNotAWidgetInTheWireFormatAreRefusedNamingTheRecordAndWhy() throws IOException {
        MetadataCatalog catalog = catalog(true);
        DatasetDeserializer<GenericRecord> decoder = CleanTopicReader.decoder(catalog, "widgets");
        byte[] complete = CleanDatasetContract.wireFormat(schemaId(catalog, "widgets-clean"), widget());

        IllegalStateException notFramed = assertThrows(IllegalStateException.class,
                () -> CleanTopicReader.decode(decoder, "widgets-clean", "widget-007", 0, 3, "{\"widget_id\": 7}".getBytes()));
        assertTrue(notFramed.getMessage().startsWith("The latest value of key 'widget-007' on the clean topic widgets-clean cannot be read: "
                + "WRONG_MAGIC_BYTE: first byte is 123, expected 0 [topic widgets-clean, partition 0, offset 3"), notFramed.getMessage());

        IllegalStateException truncated = assertThrows(IllegalStateException.class,
                () -> CleanTopicReader.decode(decoder, "widgets-clean", "widget-007", 0, 4, Arrays.copyOf(complete, complete.length - 3)));
        assertTrue(truncated.getMessage().startsWith("The latest value of key 'widget-007' on the clean topic widgets-clean cannot be read: TRUNCATED: "),
                truncated.getMessage());
        assertTrue(truncated.getMessage().contains("partition 0, offset 4"), truncated.getMessage());

        IllegalStateException unknownId = assertThrows(IllegalStateException.class,
                () -> CleanTopicReader.decode(decoder, "widgets-clean", "widget-007", 1, 5, CleanDatasetContract.wireFormat(9_999, widget())));
        assertTrue(unknownId.getMessage().contains("UNKNOWN_SCHEMA_ID: schema id 9999 is not registered"), unknownId.getMessage());
    }

    @Test
    void aCleanTopicWithoutItsRegisteredCleanDatasetIsAClearError() {
        IllegalStateException unregistered = assertThrows(IllegalStateException.class, () -> CleanTopicReader.decoder(catalog(false), "widgets"));
        assertTrue(unregistered.getMessage().startsWith("The clean topic widgets-clean exists but the dataset widgets-clean is not registered"),
                unregistered.getMessage());
    }
}
