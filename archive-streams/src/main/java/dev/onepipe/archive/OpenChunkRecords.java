package dev.onepipe.archive;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.archive.format.ArchivedRecord;

/**
 * The records of one partition's open chunks, on the heap, by chunk start offset. Not durable by itself:
 * {@link ChunkStateStore} holds where each chunk starts and ends, and {@link ChunkRebuilder} reads the records
 * back from the topic after a restart, so nothing here is written to Kafka a second time.
 */
final class OpenChunkRecords {

    /** What a record counts towards the chunk limits: its serialized size plus the previous offset kept with it. */
    private static final int BUFFERED_RECORD_OVERHEAD = Long.BYTES;

    private final Map<Long, List<ArchivedRecord>> recordsByChunk = new HashMap<>();

    /** The bytes {@code record} counts towards its chunk's and partition's limits. */
    static long bufferedBytes(ArchivedRecord record) {
        return record.serializedSize(BUFFERED_RECORD_OVERHEAD);
    }

    void add(long chunkStartOffset, ArchivedRecord record) {
        recordsByChunk.computeIfAbsent(chunkStartOffset, start -> new ArrayList<>()).add(record);
    }

    /** The chunk's records in offset order; empty for a chunk holding none here. */
    List<ArchivedRecord> of(long chunkStartOffset) {
        return recordsByChunk.getOrDefault(chunkStartOffset, List.of());
    }

    void remove(long chunkStartOffset) {
        recordsByChunk.remove(chunkStartOffset);
    }
}
