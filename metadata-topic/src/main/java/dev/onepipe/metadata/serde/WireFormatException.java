package dev.onepipe.metadata.serde;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that cannot be written or read in the wire format, with the reason, and where it happened when known:
 * topic, partition and offset, the schema id, and for invalid records the offending field.
 */
public final class WireFormatException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** Why the record was refused. */
    public enum Reason {
        /** The first byte is not {@link WireFormat#MAGIC_BYTE}: not written in this format. */
        WRONG_MAGIC_BYTE,
        /** The schema id is not registered (after waiting briefly for the catalog to catch up). */
        UNKNOWN_SCHEMA_ID,
        /** The bytes end before the header or the record does. */
        TRUNCATED,
        /** The bytes do not decode with the writer schema, or cannot be resolved to the reader schema. */
        UNDECODABLE,
        /** The record does not conform to the schema it is written with; the field is named. */
        INVALID_FOR_SCHEMA,
        /** The record's schema is not an active registered version of the dataset's value subject. */
        UNREGISTERED_SCHEMA,
        /** The dataset is not registered (or is soft-deleted). */
        UNKNOWN_DATASET
    }

    private final Reason reason;
    private final String topic;
    private final Integer partition;
    private final Long offset;
    private final Integer schemaId;
    private final String fieldPath;
    private final String detail;

    public WireFormatException(Reason reason, String topic, Integer schemaId, String fieldPath,
                               String detail, Throwable cause) {
        this(reason, topic, null, null, schemaId, fieldPath, detail, cause);
    }

    private WireFormatException(Reason reason, String topic, Integer partition, Long offset,
                                Integer schemaId, String fieldPath, String detail,
                                Throwable cause) {
        super(message(reason, topic, partition, offset, schemaId, fieldPath, detail), cause);
        this.reason = reason;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.schemaId = schemaId;
        this.fieldPath = fieldPath;
        this.detail = detail;
    }

    /** The same failure, located at a partition and offset (known to consumers, not to a bare deserializer). */
    public WireFormatException at(int recordPartition, long recordOffset) {
        WireFormatException located = new WireFormatException(reason, topic, recordPartition, recordOffset,
            schemaId, fieldPath, detail, getCause());
        located.setStackTrace(getStackTrace());
        return located;
    }

    private static String message(Reason reason, String topic, Integer partition, Long offset,
                                  Integer schemaId, String fieldPath, String detail) {
        StringBuilder text = new StringBuilder(reason.name());
        if (fieldPath != null) {
            text.append(" field '").append(fieldPath).append('\'');
        }
        text.append(": ").append(detail).append(" [topic ").append(topic == null ? "unknown" : topic);
        if (partition != null) {
            text.append(", partition ").append(partition);
        }
        if (offset != null) {
            text.append(", offset ").append(offset);
        }
        if (schemaId != null) {
            text.append(", schema id ").append(schemaId);
        }
        return text.append(']').toString();
    }

    public Reason reason() {
        return reason;
    }

    public Optional<String> topic() {
        return Optional.ofNullable(topic);
    }

    public OptionalInt partition() {
        return partition == null ? OptionalInt.empty() : OptionalInt.of(partition);
    }

    public OptionalLong offset() {
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    public OptionalInt schemaId() {
        return schemaId == null ? OptionalInt.empty() : OptionalInt.of(schemaId);
    }

    /** The offending field for INVALID_FOR_SCHEMA, as a dotted path ({@code []} marks array items, {@code {}} map values). */
    public Optional<String> fieldPath() {
        return Optional.ofNullable(fieldPath);
    }

    /** The reason in words, without the location. */
    public String detail() {
        return detail;
    }
}
