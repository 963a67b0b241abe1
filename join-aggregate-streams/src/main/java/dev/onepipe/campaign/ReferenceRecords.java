package dev.onepipe.campaign;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Reference data is small and read over and over (every YSB view looks up its ad): decode each record once. */
    private static final int MAX_CACHED_RECORDS = 100_000;

    private final MetadataCatalog catalog;
    private final String dataset;
    private final Map<ByteBuffer, Optional<GenericRecord>> decoded = new ConcurrentHashMap<>();
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
        ByteBuffer key = ByteBuffer.wrap(bytes);
        Optional<GenericRecord> record = decoded.get(key);
        if (record == null) {
            record = decode(bytes);
            if (decoded.size() >= MAX_CACHED_RECORDS) {
                decoded.clear();
            }
            decoded.put(key, record);
        }
        return record.flatMap(value -> text(value, field)).orElse(null);
    }

    private Optional<GenericRecord> decode(byte[] bytes) {
        try {
            return Optional.ofNullable(deserializer().deserialize(dataset, bytes));
        } catch (SerializationException e) {
            return Optional.empty();
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

    /** The text of {@code record}'s field {@code name}; empty when the schema has no such field or its value is null. */
    static Optional<String> text(GenericRecord record, String name) {
        Object value = record.getSchema().getField(name) == null ? null : record.get(name);
        return Optional.ofNullable(value).map(Object::toString);
    }
}
