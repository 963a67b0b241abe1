package dev.onepipe.metadata.serde;

import java.time.Duration;

import dev.onepipe.metadata.MetadataCatalog;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes for the values of a registered dataset, backed by a {@link MetadataCatalog} (fed by
 * {@code MetadataGlobalStore} in a topology or {@code MetadataCatalogReader} elsewhere). Serializing validates each
 * record against the dataset's registered schema; deserializing resolves the writer schema by id and reads as the
 * reader schema chosen here.
 */
public final class DatasetSerdes {

    private DatasetSerdes() {
    }

    /** Generic records, read as the dataset's latest schema version (chosen on first use, then fixed). */
    public static Serde<GenericRecord> generic(MetadataCatalog catalog, String datasetName) {
        return generic(catalog, datasetName, DatasetDeserializer.DEFAULT_UNKNOWN_ID_WAIT);
    }

    public static Serde<GenericRecord> generic(MetadataCatalog catalog, String datasetName,
                                               Duration unknownIdWait) {
        return Serdes.serdeFrom(new DatasetSerializer<>(catalog, datasetName),
            DatasetDeserializer.readingLatest(catalog, datasetName, unknownIdWait));
    }

    /** Generic records, read as version {@code readerVersion} of the dataset's value schema. */
    public static Serde<GenericRecord> generic(MetadataCatalog catalog, String datasetName,
                                               int readerVersion) {
        return generic(catalog, datasetName, readerVersion, DatasetDeserializer.DEFAULT_UNKNOWN_ID_WAIT);
    }

    public static Serde<GenericRecord> generic(MetadataCatalog catalog, String datasetName,
                                               int readerVersion, Duration unknownIdWait) {
        return Serdes.serdeFrom(new DatasetSerializer<>(catalog, datasetName),
            DatasetDeserializer.readingVersion(catalog, datasetName, readerVersion, unknownIdWait));
    }

    /** Generic records each in the schema version it was written with (for jobs that copy data of any version). */
    public static Serde<GenericRecord> asWritten(MetadataCatalog catalog, String datasetName) {
        return Serdes.serdeFrom(new DatasetSerializer<>(catalog, datasetName),
            DatasetDeserializer.readingAsWritten(catalog, datasetName, DatasetDeserializer.DEFAULT_UNKNOWN_ID_WAIT));
    }

    /** Instances of a generated SpecificRecord class, read as that class's schema. */
    public static <T extends SpecificRecord> Serde<T> specific(MetadataCatalog catalog, String datasetName,
                                                               Class<T> recordClass) {
        return specific(catalog, datasetName, recordClass, DatasetDeserializer.DEFAULT_UNKNOWN_ID_WAIT);
    }

    public static <T extends SpecificRecord> Serde<T> specific(MetadataCatalog catalog, String datasetName,
                                                               Class<T> recordClass, Duration unknownIdWait) {
        return Serdes.serdeFrom(new DatasetSerializer<>(catalog, datasetName),
            DatasetDeserializer.readingSpecific(catalog, datasetName, recordClass, unknownIdWait));
    }
}
