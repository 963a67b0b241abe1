package dev.onepipe.metadata.serde;

/**
 * Every record value on a dataset topic: the magic byte {@code 0x00}, the writer schema's global id as a 4-byte
 * big-endian integer, then the Avro binary encoding of the record, nothing after it. This is the framing the Kafka
 * ecosystem already reads.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0x00;
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    /** The five header bytes for a schema id. */
    public static byte[] header(int schemaId) {
        return new byte[] {MAGIC_BYTE, (byte) (schemaId >>> 24), (byte) (schemaId >>> 16), (byte) (schemaId >>> 8),
            (byte) schemaId};
    }

    /** The schema id in a framed value; the caller has checked the length and the magic byte. */
    public static int schemaId(byte[] value) {
        return ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
    }
}
