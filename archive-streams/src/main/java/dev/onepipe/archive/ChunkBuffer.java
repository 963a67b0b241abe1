package dev.onepipe.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The records of one partition's open chunks, in persistent, changelogged key-value stores. Under
 * exactly-once processing their changelog writes commit in the same transaction as the input offsets, so a
 * committed offset always means the record is here or already in S3.
 *
 * <p>Two stores: the records ({@value #RECORDS_STORE}), each written once and deleted once, so without a
 * cache in front; and the small, constantly rewritten states ({@value #STATES_STORE}), cached so only their
 * latest values reach the changelog at each commit. Keys are big-endian so RocksDB iterates them in order:
 * <ul>
 *   <li>states {@code 0x01}: the partition's stream time and last offset;</li>
 *   <li>states {@code 0x02, start offset}: an open chunk's state;</li>
 *   <li>records {@code 0x03, chunk start offset, offset}: a record, after its previous offset.</li>
 * </ul>
 * A store holds one partition: Kafka Streams gives every input partition a task with its own stores.
 */
final class ChunkBuffer {

    static final String RECORDS_STORE = "archive-records";
    static final String STATES_STORE = "archive-chunks";
    /** Changelog records carry whole input records plus a few bytes: allow for large ones. */
    private static final String CHANGELOG_MAX_MESSAGE_BYTES = String.valueOf(16 * 1024 * 1024);

    /** A stored record's value starts with its previous offset. */
    static final int RECORD_VALUE_HEADER = Long.BYTES;
    private static final byte PARTITION_STATE = 0x01;
    private static final byte CHUNK_STATE = 0x02;
    private static final byte RECORD = 0x03;
    private static final Bytes PARTITION_STATE_KEY = Bytes.wrap(new byte[] {PARTITION_STATE});

    private final KeyValueStore<Bytes, byte[]> records;
    private final KeyValueStore<Bytes, byte[]> states;

    ChunkBuffer(KeyValueStore<Bytes, byte[]> records, KeyValueStore<Bytes, byte[]> states) {
        this.records = records;
        this.states = states;
    }

    static StoreBuilder<KeyValueStore<Bytes, byte[]>> recordsStoreBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECORDS_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled()
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, CHANGELOG_MAX_MESSAGE_BYTES));
    }

    static StoreBuilder<KeyValueStore<Bytes, byte[]>> statesStoreBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATES_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }

    /** The partition's chunks as the store holds them: after a restart, exactly as of the last commit. */
    PartitionChunks restore(ChunkLimits limits) {
        List<OpenChunk> chunks = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> entries = states.range(chunkStateKey(0), chunkStateKey(Long.MAX_VALUE))) {
            while (entries.hasNext()) {
                KeyValue<Bytes, byte[]> state = entries.next();
                chunks.add(OpenChunk.deserialize(ByteBuffer.wrap(state.key.get(), 1, Long.BYTES).getLong(), state.value));
            }
        }
        byte[] partitionState = states.get(PARTITION_STATE_KEY);
        if (partitionState == null) {
            return new PartitionChunks(limits, chunks, PartitionChunks.NO_STREAM_TIME, ArchivedRecord.NO_PREVIOUS_OFFSET);
        }
        ByteBuffer buffer = ByteBuffer.wrap(partitionState);
        return new PartitionChunks(limits, chunks, buffer.getLong(), buffer.getLong());
    }

    void putPartitionState(long streamTime, long lastOffset) {
        states.put(PARTITION_STATE_KEY, ByteBuffer.allocate(2 * Long.BYTES).putLong(streamTime).putLong(lastOffset).array());
    }

    void putChunk(OpenChunk chunk) {
        states.put(chunkStateKey(chunk.startOffset()), chunk.serialize());
    }

    /** Stores a record given as {@link ArchivedRecord#serialize(int)} with {@link #RECORD_VALUE_HEADER} bytes free in front. */
    void putRecord(long chunkStartOffset, ArchivedRecord record, byte[] serializedAfterHeader) {
        ByteBuffer.wrap(serializedAfterHeader).putLong(record.previousOffset());
        records.put(recordKey(chunkStartOffset, record.offset()), serializedAfterHeader);
    }

    /** Calls {@code reader} with the chunk's records in offset order, then releases the store iterator. */
    <T> T readChunk(long chunkStartOffset, ChunkReader<T> reader) throws IOException {
        try (KeyValueIterator<Bytes, byte[]> entries = records.range(recordKey(chunkStartOffset, 0), recordKey(chunkStartOffset, Long.MAX_VALUE))) {
            return reader.read(new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return entries.hasNext();
                }

                @Override
                public ArchivedRecord next() {
                    KeyValue<Bytes, byte[]> entry = entries.next();
                    long offset = ByteBuffer.wrap(entry.key.get(), 1 + Long.BYTES, Long.BYTES).getLong();
                    long previousOffset = ByteBuffer.wrap(entry.value).getLong();
                    return ArchivedRecord.deserialize(offset, previousOffset, entry.value, RECORD_VALUE_HEADER);
                }
            });
        }
    }

    /** Reads a chunk's records; the iterator is valid only during the call. */
    @FunctionalInterface
    interface ChunkReader<T> {
        T read(Iterator<ArchivedRecord> records) throws IOException;
    }

    /** Removes a closed chunk: its records and its state. */
    void deleteChunk(long chunkStartOffset) {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> entries = records.range(recordKey(chunkStartOffset, 0), recordKey(chunkStartOffset, Long.MAX_VALUE))) {
            entries.forEachRemaining(entry -> keys.add(entry.key));
        }
        keys.forEach(records::delete);
        states.delete(chunkStateKey(chunkStartOffset));
    }

    private static Bytes chunkStateKey(long startOffset) {
        return Bytes.wrap(ByteBuffer.allocate(1 + Long.BYTES).put(CHUNK_STATE).putLong(startOffset).array());
    }

    private static Bytes recordKey(long chunkStartOffset, long offset) {
        return Bytes.wrap(ByteBuffer.allocate(1 + 2 * Long.BYTES).put(RECORD).putLong(chunkStartOffset).putLong(offset).array());
    }
}
