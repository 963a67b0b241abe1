package dev.onepipe.archive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.archive.format.ArchiveReader;
import dev.onepipe.archive.format.ArchivedRecord;
import dev.onepipe.archive.format.ParquetChunkFormat;
import dev.onepipe.core.s3.S3ClientFactory;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Archives one partition: each record joins its open chunk, whose state (start, last offset, counts) is kept
 * in the changelogged store and whose records are kept on the heap (ingest, buffer); chunks that close are
 * written to S3 by a background thread and dropped once their upload is confirmed (flush). The chunk states
 * change inside the task's transaction, so the input offset commits together with them. After a restart the
 * records of the chunks not yet in S3 are read back from the topic ({@link ChunkRebuilder}) instead of from
 * a second copy in Kafka, and closed chunks whose upload was not confirmed are uploaded again.
 *
 * <p>Chunks close only by {@link PartitionChunks}' rules, which depend on the records alone: after a crash
 * the restored chunk states, their rebuilt records and the same records close the same chunks again, and their re-upload puts the same
 * bytes under the same keys. The one wall-clock event, the idle flush, uploads an open chunk without closing
 * it, so it never moves a chunk boundary.
 */
final class ArchiveProcessor implements Processor<byte[], InternalTimestamp.Stamped, Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveProcessor.class);
    static final String RECORD_COUNT_METADATA = "onepipe-record-count";
    static final String LAST_OFFSET_METADATA = "onepipe-last-offset";
    static final String COMPLETE_BELOW_METADATA = ArchiveLayout.COMPLETE_BELOW_METADATA;
    private static final Duration LONGEST_IDLE_CHECK_INTERVAL = Duration.ofSeconds(1);
    /**
     * Uploads of one partition that may be running or queued while the stream thread goes on (one uploads while
     * the next chunk fills). Waiting beyond it bounds the heap and holds the partition's offsets while S3 is down.
     */
    private static final int MAX_PENDING_UPLOADS = 1;

    private final ArchiveSettings settings;
    private final InputTopic input;
    private final S3Availability availability;
    private final ChunkRebuilder rebuilder;
    private final Executor uploadThreads;
    private final Map<Long, Long> lastWrittenNanos = new HashMap<>();
    /** Open chunks whose idle upload is submitted but not yet confirmed, by start offset, as the upload holds them. */
    private final Map<Long, OpenChunk> idleUploadsPending = new HashMap<>();

    private ProcessorContext<Void, Void> context;
    private int partition;
    private ChunkStateStore states;
    private OpenChunkRecords records;
    private PartitionChunks chunks;
    private S3Client s3;
    private ChunkUploader uploader;
    private BackgroundUploads uploads;
    private long startedNanos;

    ArchiveProcessor(ArchiveSettings settings, InputTopic input, S3Availability availability, ChunkRebuilder rebuilder,
                     Executor uploadThreads) {
        this.settings = settings;
        this.input = input;
        this.availability = availability;
        this.rebuilder = rebuilder;
        this.uploadThreads = uploadThreads;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        this.states = new ChunkStateStore(context.getStateStore(ChunkStateStore.STATES_STORE));
        this.chunks = states.restore(settings.limits(input.partitions()));
        // Kafka Streams may initialize a processor again after closing it (a task revived after an error): start empty.
        this.records = new OpenChunkRecords();
        this.lastWrittenNanos.clear();
        this.idleUploadsPending.clear();
        List<OpenChunk> closed = states.closedChunks();
        List<OpenChunk> toRebuild = new ArrayList<>(chunks.openChunks());
        toRebuild.addAll(closed);
        this.s3 = S3ClientFactory.create(settings.s3());
        rebuilder.rebuild(new TopicPartition(input.name(), partition), toRebuild, records, this::readUploaded);
        this.uploader = new ChunkUploader(s3, settings.s3().bucket(), availability, settings.uploadRetryLimit());
        this.uploads = new BackgroundUploads(uploadThreads);
        // off the stream thread, so a task closing in a rebalance does not load the Parquet writer while its partitions wait
        uploadThreads.execute(ParquetChunkFormat::warmUpOnce);
        for (int index = 0; index < closed.size(); index++) {
            uploadInBackground(closed.get(index), chunks.completeBelow(closed.subList(index + 1, closed.size())));
        }
        this.startedNanos = System.nanoTime();
        Duration idle = Duration.ofMillis(settings.idleFlushMillis());
        Duration interval = idle.dividedBy(2).compareTo(LONGEST_IDLE_CHECK_INTERVAL) < 0 ? idle.dividedBy(2) : LONGEST_IDLE_CHECK_INTERVAL;
        context.schedule(interval.isZero() ? Duration.ofMillis(1) : interval, PunctuationType.WALL_CLOCK_TIME, now -> flushIdleChunks());
    }

    @Override
    public void process(Record<byte[], InternalTimestamp.Stamped> record) {
        confirmUploads();
        ArchivedRecord archived = ingest(record);
        List<OpenChunk> closed = buffer(archived);
        flush(closed);
    }

    /**
     * The record as the archive keeps it, with its own timestamp (the record here carries the wall clock, see
     * {@link InternalTimestamp}), linked to the partition's previous record.
     */
    private ArchivedRecord ingest(Record<byte[], InternalTimestamp.Stamped> record) {
        long offset = context.recordMetadata().orElseThrow().offset();
        return ArchivedRecord.of(offset, chunks.lastOffset(), record.value().timestamp(), record.key(), record.value().value(), record.headers());
    }

    /** Adds the record to its chunk, and the chunk's new state to the store; returns the chunks that closed. */
    private List<OpenChunk> buffer(ArchivedRecord record) {
        PartitionChunks.Appended appended = chunks.append(record.offset(), record.timestamp(), OpenChunkRecords.bufferedBytes(record));
        records.add(appended.chunk().startOffset(), record);
        if (appended.chunkStillOpen()) {
            states.putChunk(appended.chunk());
            lastWrittenNanos.put(appended.chunk().startOffset(), System.nanoTime());
        }
        states.putPartitionState(chunks.streamTime(), chunks.lastOffset());
        return appended.closed();
    }

    /**
     * Hands closed chunks to the background uploads in start-offset order, each kept as a closed state until
     * its upload is confirmed; waits while more than {@link #MAX_PENDING_UPLOADS} uploads are still pending.
     */
    private void flush(List<OpenChunk> closed) {
        for (int index = 0; index < closed.size(); index++) {
            OpenChunk chunk = closed.get(index);
            lastWrittenNanos.remove(chunk.startOffset());
            if (chunk.hasRecordsOutsideS3()) {
                states.putClosedChunk(chunk);
                uploadInBackground(chunk, chunks.completeBelow(closed.subList(index + 1, closed.size()), idleUploadsPending.values()));
            } else {
                states.deleteChunk(chunk.startOffset());
                records.remove(chunk.startOffset());
            }
        }
        if (uploads.pendingCount() > MAX_PENDING_UPLOADS) {
            uploads.awaitAtMost(MAX_PENDING_UPLOADS);
            confirmUploads();
        }
    }

    /**
     * Queues the upload of a closed chunk. Uploads of one partition run in the order they are queued, so
     * {@code completeBelow} may count on every chunk queued before this one (closed, or idle-uploaded as it was
     * then) being in S3 first.
     */
    private void uploadInBackground(OpenChunk chunk, long completeBelow) {
        List<ArchivedRecord> chunkRecords = records.of(chunk.startOffset());
        uploads.submit(new BackgroundUploads.Upload(chunk, false), () -> upload(chunk, chunkRecords, completeBelow));
    }

    /**
     * Applies the uploads that finished: a closed chunk is dropped, an idle-uploaded open chunk is marked as in
     * S3 up to the records it held when its upload began. Throws an upload's failure, which aborts the transaction.
     */
    private void confirmUploads() {
        for (BackgroundUploads.Upload uploaded : uploads.takeFinished()) {
            long start = uploaded.chunk().startOffset();
            if (uploaded.idle()) {
                idleUploadsPending.remove(start);
                chunks.markUploaded(uploaded.chunk()).ifPresent(states::putChunk);
            } else {
                states.deleteClosedChunk(start);
                records.remove(start);
            }
        }
    }

    /**
     * Puts every open chunk that has not been written to for the idle time in S3 as it is. The chunk stays
     * open: its boundary is still decided by the records alone, and a later upload of the same chunk (more
     * records, same start offset) replaces this one under the same key. The upload runs in the background,
     * after the partition's uploads submitted before it (so its {@code completeBelow} holds once it is in S3),
     * on a copy of the chunk's records as they are now: the chunk may grow meanwhile.
     */
    private void flushIdleChunks() {
        confirmUploads();
        long now = System.nanoTime();
        long idleNanos = Duration.ofMillis(settings.idleFlushMillis()).toNanos();
        for (OpenChunk chunk : chunks.openChunks()) {
            long lastWritten = lastWrittenNanos.getOrDefault(chunk.startOffset(), startedNanos);
            if (chunk.hasRecordsOutsideS3() && now - lastWritten >= idleNanos && !idleUploadsPending.containsKey(chunk.startOffset())) {
                List<ArchivedRecord> snapshot = List.copyOf(records.of(chunk.startOffset()));
                idleUploadsPending.put(chunk.startOffset(), chunk);
                long completeBelow = chunks.completeBelow(List.of(), idleUploadsPending.values());
                uploads.submit(new BackgroundUploads.Upload(chunk, true), () -> upload(chunk, snapshot, completeBelow));
            }
        }
    }

    private void upload(OpenChunk chunk, List<ArchivedRecord> chunkRecords, long completeBelow) {
        String key = settings.layout().objectKey(input.name(), partition, chunk.hour(), chunk.startOffset());
        Map<String, String> metadata = Map.of(
                RECORD_COUNT_METADATA, String.valueOf(chunk.recordCount()),
                LAST_OFFSET_METADATA, String.valueOf(chunk.lastOffset()),
                COMPLETE_BELOW_METADATA, String.valueOf(completeBelow));
        uploader.upload(key, metadata, file -> ParquetChunkFormat.write(file, input.name(), partition, input.timestampType(), chunkRecords.iterator()));
    }

    /** The records of an idle-uploaded chunk, read back from its object. */
    private List<ArchivedRecord> readUploaded(OpenChunk chunk) {
        ArchiveLayout layout = settings.layout();
        String key = layout.objectKey(input.name(), partition, chunk.hour(), chunk.startOffset());
        List<ArchivedRecord> uploaded = new ArrayList<>();
        try (ArchiveReader reader = new ArchiveReader(s3, settings.s3().bucket(), layout);
             ArchiveReader.PartitionRecords objectRecords = reader.records(
                     List.of(new ArchiveLayout.ChunkObject(key, input.name(), partition, chunk.hour(), chunk.startOffset())), false, (object, metadata) -> { })) {
            objectRecords.forEachRemaining(uploaded::add);
        }
        return uploaded;
    }

    /**
     * Lets running uploads end, then puts every open chunk in S3 as it is (as the idle flush does) before the S3 client
     * closes. Kafka Streams closes a task's processors before its last commit, so on a clean stop (SIGTERM, a task moving
     * to another instance) the chunk states marked as in S3 commit with the input offsets, and no chunk depends on its
     * records staying in the topic: a compacted topic's cleaner may remove them while the archive is stopped. A chunk
     * that cannot be put in S3 now stays in the store, to be rebuilt from the topic as after a crash.
     */
    @Override
    public void close() {
        if (uploads != null) {
            uploads.awaitAllQuietly();
            uploadOpenChunks();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private void uploadOpenChunks() {
        if (availability.isUnavailable()) {
            // S3 is down: closing must not wait out the upload retries
            return;
        }
        try {
            confirmUploads();
            for (OpenChunk chunk : chunks.openChunks()) {
                if (chunk.hasRecordsOutsideS3() && !idleUploadsPending.containsKey(chunk.startOffset())) {
                    upload(chunk, List.copyOf(records.of(chunk.startOffset())), chunks.completeBelowOnceUploaded(chunk));
                    chunks.markUploaded(chunk).ifPresent(states::putChunk);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not put the open chunks of partition {} in S3 while closing: {}. They will be rebuilt from the topic.",
                    partition, e.getMessage());
        }
    }
}
