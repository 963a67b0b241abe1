package dev.onepipe.archive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.onepipe.core.s3.S3ClientFactory;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Archives one partition: each record is buffered in its chunk in the changelogged store (ingest, buffer);
 * chunks that close are written to S3 and then dropped from the store (flush). All of it runs inside the
 * task's transaction, so the input offset commits together with the buffer's changes.
 *
 * <p>Chunks close only by {@link PartitionChunks}' rules, which depend on the records alone: after a crash
 * the restored buffer and the same records close the same chunks again, and their re-upload puts the same
 * bytes under the same keys. The one wall-clock event, the idle flush, uploads an open chunk without closing
 * it, so it never moves a chunk boundary.
 */
final class ArchiveProcessor implements Processor<byte[], byte[], Void, Void> {

    static final String RECORD_COUNT_METADATA = "onepipe-record-count";
    static final String LAST_OFFSET_METADATA = "onepipe-last-offset";
    /** Every record of the partition below this offset was in S3 once this object was. */
    static final String COMPLETE_BELOW_METADATA = "onepipe-complete-below";
    private static final Duration LONGEST_IDLE_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final ArchiveSettings settings;
    private final InputTopic input;
    private final S3Availability availability;
    private final Map<Long, Long> lastWrittenNanos = new HashMap<>();

    private ProcessorContext<Void, Void> context;
    private int partition;
    private ChunkBuffer buffer;
    private PartitionChunks chunks;
    private S3Client s3;
    private ChunkUploader uploader;
    private long startedNanos;

    ArchiveProcessor(ArchiveSettings settings, InputTopic input, S3Availability availability) {
        this.settings = settings;
        this.input = input;
        this.availability = availability;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        this.buffer = new ChunkBuffer(context.getStateStore(ChunkBuffer.RECORDS_STORE), context.getStateStore(ChunkBuffer.STATES_STORE));
        this.chunks = buffer.restore(settings.limits(input.partitions()));
        this.s3 = S3ClientFactory.create(settings.s3());
        this.uploader = new ChunkUploader(s3, settings.s3().bucket(), availability, settings.uploadRetryLimit());
        this.startedNanos = System.nanoTime();
        Duration idle = Duration.ofMillis(settings.idleFlushMillis());
        Duration interval = idle.dividedBy(2).compareTo(LONGEST_IDLE_CHECK_INTERVAL) < 0 ? idle.dividedBy(2) : LONGEST_IDLE_CHECK_INTERVAL;
        context.schedule(interval.isZero() ? Duration.ofMillis(1) : interval, PunctuationType.WALL_CLOCK_TIME, now -> flushIdleChunks());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        ArchivedRecord archived = ingest(record);
        List<OpenChunk> closed = buffer(archived);
        flush(closed);
    }

    /** The record as the archive keeps it, linked to the partition's previous record. */
    private ArchivedRecord ingest(Record<byte[], byte[]> record) {
        long offset = context.recordMetadata().orElseThrow().offset();
        List<ArchivedRecord.Header> headers = new ArrayList<>();
        record.headers().forEach(header -> headers.add(new ArchivedRecord.Header(header.key(), header.value())));
        return new ArchivedRecord(offset, chunks.lastOffset(), record.timestamp(), record.key(), record.value(), headers);
    }

    /** Adds the record to its chunk in the store; returns the chunks that closed. */
    private List<OpenChunk> buffer(ArchivedRecord record) {
        byte[] serialized = record.serialize(ChunkBuffer.RECORD_VALUE_HEADER);
        PartitionChunks.Appended appended = chunks.append(record.offset(), record.timestamp(), serialized.length);
        buffer.putRecord(appended.chunk().startOffset(), record, serialized);
        if (appended.chunkStillOpen()) {
            buffer.putChunk(appended.chunk());
            lastWrittenNanos.put(appended.chunk().startOffset(), System.nanoTime());
        }
        buffer.putPartitionState(chunks.streamTime(), chunks.lastOffset());
        return appended.closed();
    }

    /** Uploads closed chunks in start-offset order, each removed from the store once it is in S3. */
    private void flush(List<OpenChunk> closed) {
        for (int index = 0; index < closed.size(); index++) {
            OpenChunk chunk = closed.get(index);
            if (chunk.hasRecordsOutsideS3()) {
                upload(chunk, chunks.completeBelow(closed.subList(index + 1, closed.size())));
            }
            buffer.deleteChunk(chunk.startOffset());
            lastWrittenNanos.remove(chunk.startOffset());
        }
    }

    /**
     * Puts every open chunk that has not been written to for the idle time in S3 as it is. The chunk stays
     * open: its boundary is still decided by the records alone, and a later upload of the same chunk (more
     * records, same start offset) replaces this one under the same key.
     */
    private void flushIdleChunks() {
        long now = System.nanoTime();
        long idleNanos = Duration.ofMillis(settings.idleFlushMillis()).toNanos();
        for (OpenChunk chunk : chunks.openChunks()) {
            long lastWritten = lastWrittenNanos.getOrDefault(chunk.startOffset(), startedNanos);
            if (chunk.hasRecordsOutsideS3() && now - lastWritten >= idleNanos) {
                upload(chunk, chunks.completeBelowOnceUploaded(chunk));
                buffer.putChunk(chunks.markUploaded(chunk));
            }
        }
    }

    private void upload(OpenChunk chunk, long completeBelow) {
        String key = settings.layout().objectKey(input.name(), partition, chunk.hour(), chunk.startOffset());
        Map<String, String> metadata = Map.of(
                RECORD_COUNT_METADATA, String.valueOf(chunk.recordCount()),
                LAST_OFFSET_METADATA, String.valueOf(chunk.lastOffset()),
                COMPLETE_BELOW_METADATA, String.valueOf(completeBelow));
        uploader.upload(key, metadata, file -> buffer.readChunk(chunk.startOffset(), records -> {
            ParquetChunkFormat.write(file, input.name(), partition, input.timestampType(), records);
            return null;
        }));
    }

    @Override
    public void close() {
        if (s3 != null) {
            s3.close();
        }
    }
}
