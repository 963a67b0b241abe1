package dev.onepipe.dedup.merge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The total order of versions of one key that every merge strategy breaks ties with: first by the given fields in
 * turn (Avro's sort order for each field's type, {@link GenericData#compare}: a null of a nullable field sorts first,
 * strings by their UTF-8 bytes, enums by symbol position), then by the records' Avro binary encodings compared as
 * unsigned bytes, shorter first when one is a prefix of the other. Two versions are equal in this order only when
 * they are byte for byte the same record, so a merge that keeps the greatest version is independent of arrival order
 * and of any clock.
 */
public final class VersionOrder {

    private final List<String> fields;
    private final Map<Schema, GenericDatumWriter<GenericRecord>> writers = new ConcurrentHashMap<>();

    /** An order by {@code fields} (top-level field names, possibly none), then by binary encoding. */
    public VersionOrder(List<String> fields) {
        this.fields = List.copyOf(fields);
    }

    /** Negative, zero or positive as {@code a} sorts before, equal to or after {@code b}. */
    public int compare(GenericRecord a, GenericRecord b) {
        int byFields = compareFields(a, b, fields);
        return byFields != 0 ? byFields : compareEncodings(a, b);
    }

    /** Compares {@code a} and {@code b} by {@code names} only, each by its type's Avro sort order. */
    static int compareFields(GenericRecord a, GenericRecord b, List<String> names) {
        for (String name : names) {
            Schema.Field field = a.getSchema().getField(name);
            int compared = GenericData.get().compare(a.get(name), b.get(name), field.schema());
            if (compared != 0) {
                return compared;
            }
        }
        return 0;
    }

    /** Compares the Avro binary encodings of {@code a} and {@code b} as unsigned bytes. */
    public int compareEncodings(GenericRecord a, GenericRecord b) {
        return Arrays.compareUnsigned(encode(a), encode(b));
    }

    /** Whether {@code a} and {@code b} are byte for byte the same record in Avro binary. */
    public boolean sameEncoding(GenericRecord a, GenericRecord b) {
        return a == b || Arrays.equals(encode(a), encode(b));
    }

    byte[] encode(GenericRecord record) {
        GenericDatumWriter<GenericRecord> writer = writers.computeIfAbsent(record.getSchema(), GenericDatumWriter::new);
        ByteArrayOutputStream output = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(output, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + record.getSchema().getFullName() + ": " + e.getMessage(), e);
        }
        return output.toByteArray();
    }
}
