package dev.onepipe.reconciliation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MergeStrategy;
import dev.onepipe.metadata.serde.WireFormat;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The clean dataset as dedup-streams/README.md ("Clean topic") says it is registered, written out here from that
 * contract (a test of this module never uses dedup's classes): the dataset {@code <dataset>-clean}, its topic of the
 * same name, value subject {@code <dataset>-clean-value}, the source's unique key, ordering and event-time fields;
 * each value in the wire format ({@code 0x00}, the 4-byte schema id, Avro binary), written here with plain Avro.
 */
final class CleanDatasetContract {

    private CleanDatasetContract() {
    }

    /** The metadata of {@code source}'s clean dataset. */
    static DatasetMetadata metadataOf(DatasetMetadata source) {
        String name = source.name() + "-clean";
        return DatasetMetadata.builder(name)
                .topic(name)
                .valueSubject(name + DatasetMetadata.VALUE_SUBJECT_SUFFIX)
                .uniqueKey(source.uniqueKey())
                .ordering(source.ordering())
                .eventTimeField(source.eventTimeField().orElse(null))
                .merge(MergeStrategy.lastSeen())
                .compatibility(source.compatibility())
                .build();
    }

    /** {@code record} in the wire format under {@code schemaId}, encoded with its own schema. */
    static byte[] wireFormat(int schemaId, GenericRecord record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(WireFormat.header(schemaId));
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }
}
