package dev.onepipe.campaign;

import org.apache.avro.generic.GenericRecord;

/**
 * A value read from a dataset topic: the record, or the bytes that could not be read and why.
 *
 * @param record    the decoded record; null when corrupt
 * @param corrupt   the original bytes of a corrupt value, kept for the dead-letter topic; null when decoded
 * @param error     why the bytes could not be read; null when decoded
 */
public record DecodedValue(GenericRecord record, byte[] corrupt, String error) {

    public static DecodedValue decoded(GenericRecord record) {
        return new DecodedValue(record, null, null);
    }

    public static DecodedValue corrupt(byte[] bytes, String error) {
        return new DecodedValue(null, bytes == null ? new byte[0] : bytes, error);
    }

    public boolean isCorrupt() {
        return record == null;
    }
}
