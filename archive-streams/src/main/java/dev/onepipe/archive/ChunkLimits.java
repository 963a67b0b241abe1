package dev.onepipe.archive;

/**
 * When an open chunk closes. Every limit counts only what the records themselves carry (offsets, record
 * time, sizes), never wall-clock time, so replaying the same records always closes the same chunks.
 *
 * @param maxRecords            a chunk closes when it holds this many records
 * @param maxBytes              a chunk closes before it would exceed this many buffered bytes
 * @param maxSpanMillis         a chunk closes once the partition's stream time is this far past the stream time it opened at
 * @param maxOpenChunks         at most this many chunks (one per record-time hour) stay open per partition
 * @param partitionBufferBytes  the partition's share of the buffer budget: above it, its largest chunk closes early
 */
public record ChunkLimits(long maxRecords, long maxBytes, long maxSpanMillis, int maxOpenChunks, long partitionBufferBytes) {

    public ChunkLimits {
        requirePositive("maxRecords", maxRecords);
        requirePositive("maxBytes", maxBytes);
        requirePositive("maxSpanMillis", maxSpanMillis);
        requirePositive("maxOpenChunks", maxOpenChunks);
        requirePositive("partitionBufferBytes", partitionBufferBytes);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, but is " + value);
        }
    }
}
