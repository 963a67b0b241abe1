package dev.onepipe.testdata;

/**
 * How a corrupt record's value bytes are broken. Every kind must be rejected by a consumer of the
 * wire format ({@code 0x00}, 4-byte big-endian schema id, Avro binary) and sent to the dead-letter topic.
 */
public enum CorruptionKind {

    /** Random bytes whose first byte is never the {@code 0x00} magic byte. */
    GARBAGE_BYTES,

    /**
     * A well-formed frame around a valid Avro body, but with schema id {@link GeneratedRecord#UNKNOWN_SCHEMA_ID},
     * which no registry assigns.
     */
    UNKNOWN_SCHEMA_ID,

    /**
     * A frame with the dataset's registered schema id whose Avro body is cut short, so the header resolves
     * and decoding runs out of bytes.
     */
    TRUNCATED
}
