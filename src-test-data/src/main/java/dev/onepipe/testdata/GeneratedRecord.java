package dev.onepipe.testdata;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

import org.apache.avro.generic.GenericRecord;

/**
 * One record produced by a generator: the dataset (topic) it belongs to, its key (the dataset's unique key),
 * its event time, and either a valid Avro value or, for a corrupt record, broken value bytes.
 *
 * <p>The producer frames a valid value in the wire format ({@code 0x00}, 4-byte big-endian schema id, Avro
 * binary) and sends the bytes of {@link #corruptBytes(int)} as they are for a corrupt record. The event time
 * is meant to be the Kafka record timestamp.
 */
public final class GeneratedRecord {

    /** Schema id written into {@link CorruptionKind#UNKNOWN_SCHEMA_ID} frames; registries count ids up from 1. */
    public static final int UNKNOWN_SCHEMA_ID = Integer.MAX_VALUE;

    static final byte MAGIC_BYTE = 0x00;
    static final int HEADER_LENGTH = 5;

    private final String dataset;
    private final String key;
    private final long timestampMillis;
    private final GenericRecord value;
    private final CorruptionKind corruptionKind;
    private final byte[] corruptPayload;

    private GeneratedRecord(final String dataset,
                            final String key,
                            final long timestampMillis,
                            final GenericRecord value,
                            final CorruptionKind corruptionKind,
                            final byte[] corruptPayload) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.key = Objects.requireNonNull(key, "key");
        this.timestampMillis = timestampMillis;
        this.value = value;
        this.corruptionKind = corruptionKind;
        this.corruptPayload = corruptPayload;
    }

    /** A record with a valid value. */
    public static GeneratedRecord valid(final String dataset,
                                        final String key,
                                        final long timestampMillis,
                                        final GenericRecord value) {
        return new GeneratedRecord(dataset, key, timestampMillis, Objects.requireNonNull(value, "value"), null, null);
    }

    /**
     * A corrupt record. For {@link CorruptionKind#TRUNCATED} the payload is the cut Avro body, framed later by
     * {@link #corruptBytes(int)}; for the other kinds it is the complete value as sent.
     */
    public static GeneratedRecord corrupt(final String dataset,
                                          final String key,
                                          final long timestampMillis,
                                          final CorruptionKind kind,
                                          final byte[] payload) {
        return new GeneratedRecord(dataset, key, timestampMillis, null,
            Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(payload, "payload").clone());
    }

    /** Dataset name, which is also the topic name of the sample datasets. */
    public String dataset() {
        return dataset;
    }

    /** The record key: the value of the dataset's unique key. */
    public String key() {
        return key;
    }

    /** Event time in epoch milliseconds. */
    public long timestampMillis() {
        return timestampMillis;
    }

    public boolean isCorrupt() {
        return corruptionKind != null;
    }

    /** The valid value; only for records that are not corrupt. */
    public GenericRecord value() {
        if (value == null) {
            throw new IllegalStateException("A corrupt record has no value; see corruptBytes(int)");
        }
        return value;
    }

    /** How the value is broken; only for corrupt records. */
    public CorruptionKind corruptionKind() {
        if (corruptionKind == null) {
            throw new IllegalStateException("Record is not corrupt");
        }
        return corruptionKind;
    }

    /**
     * The value bytes to send for a corrupt record.
     *
     * @param registeredSchemaId the schema id registered for this dataset's value; only
     *                           {@link CorruptionKind#TRUNCATED} uses it, so that its header resolves
     */
    public byte[] corruptBytes(final int registeredSchemaId) {
        final CorruptionKind kind = corruptionKind();
        if (kind != CorruptionKind.TRUNCATED) {
            return corruptPayload.clone();
        }
        return ByteBuffer.allocate(HEADER_LENGTH + corruptPayload.length)
            .put(MAGIC_BYTE)
            .putInt(registeredSchemaId)
            .put(corruptPayload)
            .array();
    }

    @Override
    public boolean equals(final Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof GeneratedRecord)) {
            return false;
        }
        final GeneratedRecord that = (GeneratedRecord) other;
        return timestampMillis == that.timestampMillis
            && dataset.equals(that.dataset)
            && key.equals(that.key)
            && Objects.equals(value, that.value)
            && corruptionKind == that.corruptionKind
            && Arrays.equals(corruptPayload, that.corruptPayload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dataset, key, timestampMillis, value, corruptionKind) * 31 + Arrays.hashCode(corruptPayload);
    }

    @Override
    public String toString() {
        final String content = isCorrupt() ? "corrupt " + corruptionKind : String.valueOf(value);
        return dataset + " key=" + key + " timestamp=" + timestampMillis + " " + content;
    }
}
