package dev.onepipe.archive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.core.runtime.health.PermanentFaultException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the records of a partition's open chunks (and of closed ones whose upload was not confirmed) back
 * from the topic, after a restart or a rebalance: the restored {@link ChunkStateStore} says where each chunk
 * starts, which record-time hour it holds and which record was its last, so the chunk's records are exactly
 * the committed records of its hour from its start offset to its last offset. They are read as Kafka Streams
 * reads them ({@code read_committed}), so aborted records and transaction markers are skipped the same way
 * and every record is linked to the same previous offset. A chunk an idle flush put in S3 whole is read back
 * from its object instead. The rebuilt chunks are checked against their states (record count, bytes, last
 * offset): a chunk whose records are no longer in the topic (deleted by retention) fails loudly instead of
 * being archived short.
 */
final class ChunkRebuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkRebuilder.class);

    /** Well inside {@code max.poll.interval.ms}: the stream thread rebuilds before it polls again. */
    private static final Duration REBUILD_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private final Map<String, Object> consumerConfig;

    /** @param kafkaConfig bootstrap servers and the settings every client shares (security, timeouts) */
    ChunkRebuilder(Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A missing start offset is an error to report, never a reason to read from elsewhere.
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        this.consumerConfig = Map.copyOf(config);
    }

    /** Reads the records of a chunk an idle flush put in S3 back from its object, in offset order. */
    @FunctionalInterface
    interface UploadedChunkReader {
        List<ArchivedRecord> read(OpenChunk chunk);
    }

    /**
     * Fills {@code into} with the records of every chunk in {@code chunks}, all of them chunks of
     * {@code partition} not yet closed and in S3. A chunk an idle flush put in S3 whole is read back from its
     * object ({@code uploaded}), so a partition that stays idle for longer than the topic's retention can
     * still restart; every other chunk, or one whose object does not hold what its state says, from the topic.
     */
    void rebuild(TopicPartition partition, List<OpenChunk> chunks, OpenChunkRecords into, UploadedChunkReader uploaded) {
        if (chunks.isEmpty()) {
            return;
        }
        List<OpenChunk> fromTopic = new ArrayList<>();
        for (OpenChunk chunk : chunks) {
            if (chunk.hasRecordsOutsideS3() || !rebuildFromS3(chunk, into, uploaded)) {
                fromTopic.add(chunk);
            }
        }
        if (!fromTopic.isEmpty()) {
            rebuildFromTopic(partition, fromTopic, into);
        }
        for (OpenChunk chunk : chunks) {
            requireAsStated(partition, chunk, into.of(chunk.startOffset()));
        }
        LOG.info("Rebuilt {} chunks of {} ({} records): {} from the topic, {} from S3", chunks.size(), partition,
                chunks.stream().mapToLong(OpenChunk::recordCount).sum(), fromTopic.size(), chunks.size() - fromTopic.size());
    }

    /**
     * The object holds the chunk as its idle upload wrote it; an upload the last commit did not record may
     * have added records, which the restored chunk does not hold yet and gets again from the topic.
     */
    private static boolean rebuildFromS3(OpenChunk chunk, OpenChunkRecords into, UploadedChunkReader uploaded) {
        List<ArchivedRecord> records;
        try {
            records = uploaded.read(chunk).stream().filter(record -> record.offset() <= chunk.lastOffset()).toList();
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the uploaded chunk from offset {} back from S3 ({}); reading it from the topic", chunk.startOffset(), e.toString());
            return false;
        }
        if (!isAsStated(chunk, records)) {
            return false;
        }
        records.forEach(record -> into.add(chunk.startOffset(), record));
        return true;
    }

    private void rebuildFromTopic(TopicPartition partition, List<OpenChunk> chunks, OpenChunkRecords into) {
        OpenChunk earliest = chunks.stream().min(Comparator.comparingLong(OpenChunk::startOffset)).orElseThrow();
        long until = chunks.stream().mapToLong(OpenChunk::lastOffset).max().orElseThrow();
        // Chunks of one hour (one closed by size, the next open) never share an offset range.
        Map<Long, List<OpenChunk>> chunksByHour = new HashMap<>();
        chunks.forEach(chunk -> chunksByHour.computeIfAbsent(chunk.hour(), hour -> new ArrayList<>()).add(chunk));

        long previousOffset = earliest.previousOffset();
        boolean first = true;
        long deadline = System.nanoTime() + REBUILD_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, earliest.startOffset());
            while (previousOffset < until) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + partition + " from offset " + earliest.startOffset() + " to "
                            + until + " within " + REBUILD_TIMEOUT.toSeconds() + " s to rebuild its chunks not yet in S3");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT).records(partition)) {
                    // checked before the end: a compacted topic's cleaner may have removed every record of the chunks
                    if (first && record.offset() != earliest.startOffset()) {
                        throw missing(partition, earliest, "the first record read was at offset " + record.offset());
                    }
                    first = false;
                    if (record.offset() > until) {
                        if (previousOffset < until) {
                            throw missing(partition, earliest, "the records end at offset " + previousOffset + ", before the chunks' last offset "
                                    + until + ", and the next record is at " + record.offset());
                        }
                        break;
                    }
                    for (OpenChunk chunk : chunksByHour.getOrDefault(PartitionChunks.hourOf(record.timestamp()), List.of())) {
                        if (record.offset() >= chunk.startOffset() && record.offset() <= chunk.lastOffset()) {
                            into.add(chunk.startOffset(), ArchivedRecord.of(record.offset(), previousOffset, record.timestamp(),
                                    record.key(), record.value(), record.headers()));
                        }
                    }
                    previousOffset = record.offset();
                }
            }
        } catch (OffsetOutOfRangeException e) {
            throw missing(partition, earliest, e.getMessage());
        }
    }

    private static boolean isAsStated(OpenChunk chunk, List<ArchivedRecord> records) {
        long bytes = records.stream().mapToLong(OpenChunkRecords::bufferedBytes).sum();
        return records.size() == chunk.recordCount() && bytes == chunk.byteCount()
                && !records.isEmpty() && records.get(records.size() - 1).offset() == chunk.lastOffset();
    }

    private static void requireAsStated(TopicPartition partition, OpenChunk chunk, List<ArchivedRecord> records) {
        if (!isAsStated(chunk, records)) {
            long bytes = records.stream().mapToLong(OpenChunkRecords::bufferedBytes).sum();
            long lastOffset = records.isEmpty() ? -1 : records.get(records.size() - 1).offset();
            throw new PermanentFaultException("The chunk of " + partition + " from offset " + chunk.startOffset() + " held "
                    + chunk.recordCount() + " records (" + chunk.byteCount() + " bytes, last offset " + chunk.lastOffset()
                    + "), but the topic now has " + records.size() + " (" + bytes + " bytes, last offset " + lastOffset
                    + ") there: was the topic deleted and created again, or its records changed?");
        }
    }

    /** Records gone from the topic do not come back: the archive stops at once rather than failing the same way again. */
    private static PermanentFaultException missing(TopicPartition partition, OpenChunk chunk, String detail) {
        return new PermanentFaultException("The records of the chunk of " + partition + " from offset " + chunk.startOffset()
                + " are no longer in the topic (" + detail + "): the topic's retention or compaction removed them before they were in S3."
                + " The archive cannot rebuild the chunk; 'onepipe archive verify' lists the offsets lost."
                + " Keep records until they are archived (longer retention, or a longer min.compaction.lag.ms)");
    }
}
