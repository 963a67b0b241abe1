package dev.onepipe.campaign;

import java.util.function.Function;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Builds output records in the output dataset's latest registered schema, looked up once on first use: the catalog
 * is complete by the time the first result is published, but not yet while the topology is built.
 */
final class OutputRecords {

    private final MetadataCatalog catalog;
    private final String dataset;
    private volatile Schema schema;

    OutputRecords(MetadataCatalog catalog, String dataset) {
        this.catalog = catalog;
        this.dataset = dataset;
    }

    GenericRecord record(Function<Schema, GenericRecord> build) {
        Schema current = schema;
        if (current == null) {
            current = catalog.latestSchemaForDataset(dataset).map(SchemaVersion::schema).orElseThrow(() -> new IllegalStateException(
                    "Output dataset '" + dataset + "' is not registered; register it with 'onepipe metadata register' or start with "
                            + CampaignMetricsSettings.PROVISION + "=true"));
            schema = current;
        }
        return build.apply(current);
    }
}
