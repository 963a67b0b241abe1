package dev.onepipe.campaign;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.DatasetSerdes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads fields of reference data kept as wire-format bytes in a {@code GlobalKTable} (campaign names, the YSB
 * ad-to-campaign mapping). Bytes stay bytes in the table, so one unreadable reference record makes its lookups come
 * back empty instead of failing every lookup of the table.
 */
final class ReferenceRecords {

    private final MetadataCatalog catalog;
    private final String dataset;
    private volatile Deserializer<GenericRecord> deserializer;

    ReferenceRecords(MetadataCatalog catalog, String dataset) {
        this.catalog = catalog;
        this.dataset = dataset;
    }

    /** The field's text of the record in {@code bytes}, or null when there is none or it cannot be read. */
    String field(byte[] bytes, String field) {
        if (bytes == null) {
            return null;
        }
        try {
            GenericRecord record = deserializer().deserialize(dataset, bytes);
            return DatasetRecordDecoder.field(record, field).orElse(null);
        } catch (SerializationException e) {
            return null;
        }
    }

    private Deserializer<GenericRecord> deserializer() {
        Deserializer<GenericRecord> current = deserializer;
        if (current == null) {
            current = DatasetSerdes.generic(catalog, dataset).deserializer();
            deserializer = current;
        }
        return current;
    }
}
