package dev.onepipe.core.dataset;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.WireFormat;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The value deserializer of dataset streams. A schema id above every id the catalog knows makes
 * {@link DatasetDeserializer} wait a moment for the catalog to catch up, since the schema may have been registered
 * an instant ago. That wait is right once per id, but a stream of records with an id that never gets registered
 * must not cost it per record: after one unsuccessful wait, records with that id fail at once (and go to the
 * dead-letter topic) unless the catalog has learnt the id since. Thread-safe.
 */
final class DatasetRecordDeserializer<T> implements Deserializer<T> {

    private static final int MAXIMUM_REMEMBERED_IDS = 1024;

    private final MetadataCatalog catalog;
    private final DatasetDeserializer<T> waiting;
    private final DatasetDeserializer<T> immediate;
    private final Map<Integer, Boolean> idsWaitedFor = new ConcurrentHashMap<>();

    /**
     * @param waiting   reads records, waiting for an unknown id
     * @param immediate reads the same way without waiting
     */
    DatasetRecordDeserializer(MetadataCatalog catalog, DatasetDeserializer<T> waiting, DatasetDeserializer<T> immediate) {
        this.catalog = catalog;
        this.waiting = waiting;
        this.immediate = immediate;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null || data.length < WireFormat.HEADER_LENGTH || data[0] != WireFormat.MAGIC_BYTE) {
            return immediate.deserialize(topic, data);
        }
        int schemaId = WireFormat.schemaId(data);
        if (idsWaitedFor.containsKey(schemaId) && catalog.schemaById(schemaId).isEmpty()) {
            return immediate.deserialize(topic, data);
        }
        try {
            return waiting.deserialize(topic, data);
        } catch (WireFormatException failure) {
            if (failure.reason() == WireFormatException.Reason.UNKNOWN_SCHEMA_ID) {
                if (idsWaitedFor.size() >= MAXIMUM_REMEMBERED_IDS) {
                    idsWaitedFor.clear();
                }
                idsWaitedFor.put(schemaId, Boolean.TRUE);
            }
            throw failure;
        }
    }
}
