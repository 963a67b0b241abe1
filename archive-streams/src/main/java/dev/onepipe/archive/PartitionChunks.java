package dev.onepipe.archive;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.onepipe.archive.format.ArchivedRecord;

/**
 * The open chunks of one partition and the rules that close them. A pure function of the records appended
 * (their offsets, timestamps and sizes), so a partition replayed after a crash closes exactly the chunks it
 * closed before, at exactly the same records.
 *
 * <p>Rules, applied to each record in offset order:
 * <ol>
 *   <li>a record goes to the open chunk of its record-time hour, or opens one (so no chunk spans two hours);</li>
 *   <li>a chunk that would exceed {@link ChunkLimits#maxBytes()} closes before the record, and a new one opens;</li>
 *   <li>a chunk that reaches {@link ChunkLimits#maxRecords()} or {@link ChunkLimits#maxBytes()} closes;</li>
 *   <li>every chunk opened {@link ChunkLimits#maxSpanMillis()} of stream time ago or earlier closes;</li>
 *   <li>beyond {@link ChunkLimits#maxOpenChunks()}, the chunk written to least recently closes;</li>
 *   <li>while the open chunks hold more than {@link ChunkLimits#partitionBufferBytes()}, the largest closes.</li>
 * </ol>
 */
public final class PartitionChunks {

    private static final long MILLIS_PER_HOUR = 3_600_000L;
    public static final long NO_STREAM_TIME = Long.MIN_VALUE;

    private final ChunkLimits limits;
    private final Map<Long, OpenChunk> chunksByHour = new TreeMap<>();
    private long streamTime;
    private long lastOffset;

    /**
     * @param limits     when chunks close
     * @param chunks     the chunks open so far, e.g. restored from the buffer
     * @param streamTime the latest record timestamp seen on the partition, {@link #NO_STREAM_TIME} for none
     * @param lastOffset the offset of the latest record seen, {@link ArchivedRecord#NO_PREVIOUS_OFFSET} for none
     */
    public PartitionChunks(ChunkLimits limits, Collection<OpenChunk> chunks, long streamTime, long lastOffset) {
        this.limits = limits;
        this.streamTime = streamTime;
        this.lastOffset = lastOffset;
        for (OpenChunk chunk : chunks) {
            chunksByHour.put(chunk.hour(), chunk);
        }
    }

    /**
     * What appending one record did.
     *
     * @param chunk  the chunk the record went into, as it is now (it may also be among {@code closed})
     * @param closed the chunks that closed, in the order to upload them (by start offset)
     */
    public record Appended(OpenChunk chunk, List<OpenChunk> closed) {

        public boolean chunkStillOpen() {
            return !closed.contains(chunk);
        }
    }

    public static long hourOf(long timestamp) {
        return Math.floorDiv(timestamp, MILLIS_PER_HOUR);
    }

    /** Appends the record at {@code offset} with {@code timestamp} taking {@code bytes} in the buffer. */
    public Appended append(long offset, long timestamp, long bytes) {
        if (offset <= lastOffset) {
            throw new IllegalArgumentException("Offset " + offset + " is not after the partition's last offset " + lastOffset);
        }
        long previousOffset = lastOffset;
        streamTime = Math.max(streamTime, timestamp);
        lastOffset = offset;
        long hour = hourOf(timestamp);
        List<OpenChunk> closed = new ArrayList<>();

        OpenChunk chunk = chunksByHour.get(hour);
        if (chunk != null && chunk.byteCount() + bytes > limits.maxBytes()) {
            closed.add(chunksByHour.remove(hour));
            chunk = null;
        }
        if (chunk == null) {
            chunk = OpenChunk.open(offset, previousOffset, hour, streamTime);
        }
        chunk = chunk.append(offset, bytes);
        chunksByHour.put(hour, chunk);
        if (chunk.recordCount() >= limits.maxRecords() || chunk.byteCount() >= limits.maxBytes()) {
            closed.add(chunksByHour.remove(hour));
        }

        closeSpannedChunks(closed);
        closeLeastRecentlyWritten(closed);
        closeLargestOverBudget(closed);
        closed.sort(Comparator.comparingLong(OpenChunk::startOffset));
        return new Appended(chunk, closed);
    }

    private void closeSpannedChunks(List<OpenChunk> closed) {
        chunksByHour.values().removeIf(open -> {
            boolean spanned = streamTime - open.openedAtStreamTime() >= limits.maxSpanMillis();
            if (spanned) {
                closed.add(open);
            }
            return spanned;
        });
    }

    private void closeLeastRecentlyWritten(List<OpenChunk> closed) {
        while (chunksByHour.size() > limits.maxOpenChunks()) {
            OpenChunk leastRecent = chunksByHour.values().stream().min(Comparator.comparingLong(OpenChunk::lastOffset)).orElseThrow();
            closed.add(chunksByHour.remove(leastRecent.hour()));
        }
    }

    private void closeLargestOverBudget(List<OpenChunk> closed) {
        while (bufferedBytes() > limits.partitionBufferBytes()) {
            OpenChunk largest = chunksByHour.values().stream()
                    .max(Comparator.comparingLong(OpenChunk::byteCount).thenComparing(OpenChunk::startOffset, Comparator.reverseOrder()))
                    .orElseThrow();
            closed.add(chunksByHour.remove(largest.hour()));
        }
    }

    /**
     * Records that an idle flush put every record of {@code uploaded} (the chunk as it was when the upload
     * began) in S3; records added since stay outside. Empty when that chunk has closed since.
     */
    public Optional<OpenChunk> markUploaded(OpenChunk uploaded) {
        OpenChunk open = chunksByHour.get(uploaded.hour());
        if (open == null || open.startOffset() != uploaded.startOffset()) {
            return Optional.empty();
        }
        OpenChunk marked = open.uploaded(uploaded.recordCount());
        chunksByHour.put(marked.hour(), marked);
        return Optional.of(marked);
    }

    /**
     * The offset below which every record of the partition is in S3 once {@code notYetUploaded} are: the
     * start of the earliest chunk still holding records outside S3, or just past the last record.
     */
    public long completeBelow(Collection<OpenChunk> notYetUploaded) {
        return completeBelow(notYetUploaded, List.of());
    }

    /**
     * {@link #completeBelow(Collection)}, counting as in S3 the open chunks that uploads finishing first hold
     * whole: {@code inS3First} are such chunks as their uploads hold them (an open chunk that has grown since
     * still has records outside S3).
     */
    public long completeBelow(Collection<OpenChunk> notYetUploaded, Collection<OpenChunk> inS3First) {
        long below = lastOffset + 1;
        for (OpenChunk open : chunksByHour.values()) {
            if (open.hasRecordsOutsideS3() && inS3First.stream().noneMatch(uploaded -> uploaded.startOffset() == open.startOffset()
                    && uploaded.recordCount() >= open.recordCount())) {
                below = Math.min(below, open.startOffset());
            }
        }
        for (OpenChunk pending : notYetUploaded) {
            below = Math.min(below, pending.startOffset());
        }
        return below;
    }

    /** {@link #completeBelow(Collection)} once the idle flush of the open {@code chunk} is in S3. */
    public long completeBelowOnceUploaded(OpenChunk chunk) {
        return completeBelow(List.of(), List.of(chunk));
    }

    public List<OpenChunk> openChunks() {
        return List.copyOf(chunksByHour.values());
    }

    public long bufferedBytes() {
        return chunksByHour.values().stream().mapToLong(OpenChunk::byteCount).sum();
    }

    public long streamTime() {
        return streamTime;
    }

    public long lastOffset() {
        return lastOffset;
    }
}
