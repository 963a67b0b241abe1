package dev.onepipe.archive;

import java.nio.ByteBuffer;

/**
 * A chunk that is still collecting records: the records of one partition and one record-time hour, from its
 * start offset on. Its start offset names its S3 object, so every upload of the chunk lands on the same key.
 *
 * @param startOffset         the offset of the chunk's first record
 * @param previousOffset      the offset of the record before the chunk's first record on the partition, so a chunk
 *                            rebuilt from the topic links its first record as it was linked the first time
 * @param hour                the record-time hour of every record in the chunk, in hours since the epoch (UTC)
 * @param openedAtStreamTime  the partition's stream time (latest record timestamp seen) when the chunk opened
 * @param recordCount         records in the chunk
 * @param byteCount           buffered bytes of those records
 * @param lastOffset          the offset of the chunk's latest record
 * @param uploadedRecordCount how many of its records an idle flush has already put in S3
 */
public record OpenChunk(long startOffset, long previousOffset, long hour, long openedAtStreamTime, long recordCount, long byteCount,
                        long lastOffset, long uploadedRecordCount) {

    private static final int SERIALIZED_SIZE = 7 * Long.BYTES;

    /** A new chunk holding nothing yet. */
    public static OpenChunk open(long startOffset, long previousOffset, long hour, long streamTime) {
        return new OpenChunk(startOffset, previousOffset, hour, streamTime, 0, 0, startOffset, 0);
    }

    public OpenChunk append(long offset, long bytes) {
        return new OpenChunk(startOffset, previousOffset, hour, openedAtStreamTime, recordCount + 1, byteCount + bytes, offset, uploadedRecordCount);
    }

    /** The chunk once an idle flush put its first {@code records} records in S3. */
    public OpenChunk uploaded(long records) {
        return new OpenChunk(startOffset, previousOffset, hour, openedAtStreamTime, recordCount, byteCount, lastOffset,
                Math.max(uploadedRecordCount, records));
    }

    /** Whether some of its records are only in the buffer, not yet in S3. */
    public boolean hasRecordsOutsideS3() {
        return uploadedRecordCount < recordCount;
    }

    public byte[] serialize() {
        return ByteBuffer.allocate(SERIALIZED_SIZE).putLong(previousOffset).putLong(hour).putLong(openedAtStreamTime).putLong(recordCount)
                .putLong(byteCount).putLong(lastOffset).putLong(uploadedRecordCount).array();
    }

    public static OpenChunk deserialize(long startOffset, byte[] bytes) {
        if (bytes.length != SERIALIZED_SIZE) {
            throw new IllegalStateException("The chunk state at offset " + startOffset + " has " + bytes.length + " bytes, not "
                    + SERIALIZED_SIZE + ": it was written by an earlier version of the archive (see 'Upgrading' in the archive's README)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new OpenChunk(startOffset, buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong(),
                buffer.getLong(), buffer.getLong());
    }
}
