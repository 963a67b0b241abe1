package dev.onepipe.archive;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.onepipe.archive.format.ArchivedRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The states of one partition's open chunks, in a persistent, changelogged key-value store: where each chunk
 * starts and ends on the partition and what it holds, not the records themselves (those are still in the
 * topic, at the offsets the states name). Under exactly-once processing the changelog writes commit in the
 * same transaction as the input offsets, so a committed offset always means its record is in S3 or inside
 * an open chunk whose state is here.
 *
 * <p>The store is cached, so only each state's latest value reaches the changelog at a commit. Keys are
 * big-endian so RocksDB iterates them in order:
 * <ul>
 *   <li>{@code 0x01}: the partition's stream time and last offset;</li>
 *   <li>{@code 0x02, start offset}: an open chunk's state;</li>
 *   <li>{@code 0x03, start offset}: a closed chunk's state, kept until its upload is confirmed.</li>
 * </ul>
 * A store holds one partition: Kafka Streams gives every input partition a task with its own stores.
 */
final class ChunkStateStore {

    static final String STATES_STORE = "archive-chunks";

    private static final byte PARTITION_STATE = 0x01;
    private static final byte CHUNK_STATE = 0x02;
    private static final byte CLOSED_CHUNK_STATE = 0x03;
    private static final Bytes PARTITION_STATE_KEY = Bytes.wrap(new byte[] {PARTITION_STATE});

    private final KeyValueStore<Bytes, byte[]> states;

    ChunkStateStore(KeyValueStore<Bytes, byte[]> states) {
        this.states = states;
    }

    static StoreBuilder<KeyValueStore<Bytes, byte[]>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATES_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }

    /** The partition's chunks as the store holds them: after a restart, exactly as of the last commit. */
    PartitionChunks restore(ChunkLimits limits) {
        List<OpenChunk> chunks = chunks(CHUNK_STATE);
        byte[] partitionState = states.get(PARTITION_STATE_KEY);
        if (partitionState == null) {
            return new PartitionChunks(limits, chunks, PartitionChunks.NO_STREAM_TIME, ArchivedRecord.NO_PREVIOUS_OFFSET);
        }
        ByteBuffer buffer = ByteBuffer.wrap(partitionState);
        return new PartitionChunks(limits, chunks, buffer.getLong(), buffer.getLong());
    }

    /** The closed chunks whose uploads were not confirmed before the last commit, by start offset. */
    List<OpenChunk> closedChunks() {
        return chunks(CLOSED_CHUNK_STATE);
    }

    private List<OpenChunk> chunks(byte kind) {
        List<OpenChunk> chunks = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> entries = states.range(chunkStateKey(kind, 0), chunkStateKey(kind, Long.MAX_VALUE))) {
            while (entries.hasNext()) {
                KeyValue<Bytes, byte[]> state = entries.next();
                chunks.add(OpenChunk.deserialize(ByteBuffer.wrap(state.key.get(), 1, Long.BYTES).getLong(), state.value));
            }
        }
        return chunks;
    }

    void putPartitionState(long streamTime, long lastOffset) {
        states.put(PARTITION_STATE_KEY, ByteBuffer.allocate(2 * Long.BYTES).putLong(streamTime).putLong(lastOffset).array());
    }

    void putChunk(OpenChunk chunk) {
        states.put(chunkStateKey(CHUNK_STATE, chunk.startOffset()), chunk.serialize());
    }

    /** Moves a chunk that closed from the open to the closed states, until {@link #deleteClosedChunk(long)}. */
    void putClosedChunk(OpenChunk chunk) {
        states.delete(chunkStateKey(CHUNK_STATE, chunk.startOffset()));
        states.put(chunkStateKey(CLOSED_CHUNK_STATE, chunk.startOffset()), chunk.serialize());
    }

    /** Removes a chunk that closed with nothing left to upload. */
    void deleteChunk(long chunkStartOffset) {
        states.delete(chunkStateKey(CHUNK_STATE, chunkStartOffset));
    }

    /** Removes a closed chunk once it is in S3. */
    void deleteClosedChunk(long chunkStartOffset) {
        states.delete(chunkStateKey(CLOSED_CHUNK_STATE, chunkStartOffset));
    }

    private static Bytes chunkStateKey(byte kind, long startOffset) {
        return Bytes.wrap(ByteBuffer.allocate(1 + Long.BYTES).put(kind).putLong(startOffset).array());
    }
}
