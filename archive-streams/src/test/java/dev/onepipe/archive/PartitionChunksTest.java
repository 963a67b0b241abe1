package dev.onepipe.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.onepipe.archive.format.ArchivedRecord;
import org.junit.jupiter.api.Test;

class PartitionChunksTest {

    private static final long HOUR = 3_600_000L;
    private static final long NINE_O_CLOCK = 9 * HOUR;

    private static PartitionChunks chunks(ChunkLimits limits) {
        return new PartitionChunks(limits, List.of(), PartitionChunks.NO_STREAM_TIME, ArchivedRecord.NO_PREVIOUS_OFFSET);
    }

    private static ChunkLimits limits(long maxRecords, long maxBytes, long maxSpan, int maxOpen, long budget) {
        return new ChunkLimits(maxRecords, maxBytes, maxSpan, maxOpen, budget);
    }

    private static List<Long> starts(List<OpenChunk> closed) {
        return closed.stream().map(OpenChunk::startOffset).toList();
    }

    @Test
    void closesAChunkWhenItReachesTheRecordLimit() {
        PartitionChunks chunks = chunks(limits(3, 1_000_000, 10 * HOUR, 4, Long.MAX_VALUE));
        assertTrue(chunks.append(10, NINE_O_CLOCK, 100).closed().isEmpty());
        assertTrue(chunks.append(12, NINE_O_CLOCK + 1, 100).closed().isEmpty());
        PartitionChunks.Appended third = chunks.append(13, NINE_O_CLOCK + 2, 100);
        assertEquals(List.of(10L), starts(third.closed()));
        assertEquals(3, third.closed().get(0).recordCount());
        assertEquals(13, third.closed().get(0).lastOffset());
        assertFalse(third.chunkStillOpen());
        assertEquals(14, chunks.append(14, NINE_O_CLOCK + 3, 100).chunk().startOffset());
    }

    @Test
    void closesAChunkBeforeARecordWouldTakeItPastTheByteLimit() {
        PartitionChunks chunks = chunks(limits(100, 250, 10 * HOUR, 4, Long.MAX_VALUE));
        chunks.append(0, NINE_O_CLOCK, 100);
        chunks.append(1, NINE_O_CLOCK, 100);
        PartitionChunks.Appended third = chunks.append(2, NINE_O_CLOCK, 100);
        assertEquals(List.of(0L), starts(third.closed()));
        assertEquals(200, third.closed().get(0).byteCount());
        assertEquals(2, third.chunk().startOffset());
        assertTrue(third.chunkStillOpen());
    }

    @Test
    void neverPutsTwoHoursInOneChunkAndSendsLateRecordsToTheirHoursChunk() {
        PartitionChunks chunks = chunks(limits(100, 1_000_000, 10 * HOUR, 4, Long.MAX_VALUE));
        chunks.append(0, NINE_O_CLOCK + 10, 10);
        PartitionChunks.Appended ten = chunks.append(1, NINE_O_CLOCK + HOUR, 10);
        assertEquals(1, ten.chunk().startOffset());
        PartitionChunks.Appended late = chunks.append(2, NINE_O_CLOCK + 20, 10);
        assertEquals(0, late.chunk().startOffset());
        assertEquals(2, late.chunk().recordCount());
        assertEquals(2, chunks.openChunks().size());
    }

    @Test
    void closesChunksOpenedASpanOfStreamTimeAgo() {
        PartitionChunks chunks = chunks(limits(100, 1_000_000, HOUR, 4, Long.MAX_VALUE));
        chunks.append(0, NINE_O_CLOCK, 10);
        assertTrue(chunks.append(1, NINE_O_CLOCK + HOUR - 1, 10).closed().isEmpty());
        PartitionChunks.Appended later = chunks.append(2, NINE_O_CLOCK + HOUR, 10);
        assertEquals(List.of(0L), starts(later.closed()));
        assertEquals(2, later.closed().get(0).recordCount());
        // A late record for nine o'clock opens a new chunk, which stays open for a span of stream time from now.
        PartitionChunks.Appended late = chunks.append(3, NINE_O_CLOCK + 5, 10);
        assertTrue(late.closed().isEmpty());
        assertEquals(3, late.chunk().startOffset());
        assertTrue(chunks.append(4, NINE_O_CLOCK + 6, 10).closed().isEmpty());
        assertEquals(List.of(2L, 3L), starts(chunks.append(5, NINE_O_CLOCK + 2 * HOUR + 1, 10).closed()));
    }

    @Test
    void beyondTheOpenChunkLimitClosesTheLeastRecentlyWrittenChunk() {
        PartitionChunks chunks = chunks(limits(100, 1_000_000, 100 * HOUR, 2, Long.MAX_VALUE));
        chunks.append(0, NINE_O_CLOCK, 10);
        chunks.append(1, NINE_O_CLOCK + HOUR, 10);
        chunks.append(2, NINE_O_CLOCK, 10);
        PartitionChunks.Appended third = chunks.append(3, NINE_O_CLOCK + 2 * HOUR, 10);
        assertEquals(List.of(1L), starts(third.closed()));
        assertEquals(List.of(0L, 3L), chunks.openChunks().stream().map(OpenChunk::startOffset).sorted().toList());
    }

    @Test
    void overThePartitionsBudgetClosesTheLargestChunk() {
        PartitionChunks chunks = chunks(limits(100, 1_000_000, 100 * HOUR, 4, 500));
        chunks.append(0, NINE_O_CLOCK, 200);
        chunks.append(1, NINE_O_CLOCK + HOUR, 100);
        chunks.append(2, NINE_O_CLOCK, 150);
        PartitionChunks.Appended over = chunks.append(3, NINE_O_CLOCK + HOUR, 100);
        assertEquals(List.of(0L), starts(over.closed()));
        assertEquals(200, chunks.bufferedBytes());
    }

    @Test
    void theSameRecordsCloseTheSameChunksWhetherOrNotTheStateWasRestoredHalfway() {
        ChunkLimits limits = limits(50, 4_000, HOUR, 3, 9_000);
        SplittableRandom random = new SplittableRandom(1);
        long[] timestamps = new long[5_000];
        int[] sizes = new int[timestamps.length];
        for (int index = 0; index < timestamps.length; index++) {
            timestamps[index] = NINE_O_CLOCK + index * 3_000L - (random.nextInt(10) == 0 ? random.nextLong(2 * HOUR) : 0);
            sizes[index] = 20 + random.nextInt(200);
        }
        PartitionChunks straight = chunks(limits);
        List<List<Long>> straightClosed = new ArrayList<>();
        for (int index = 0; index < timestamps.length; index++) {
            straightClosed.add(starts(straight.append(index * 2L, timestamps[index], sizes[index]).closed()));
        }
        PartitionChunks restarted = chunks(limits);
        List<List<Long>> restartedClosed = new ArrayList<>();
        for (int index = 0; index < timestamps.length; index++) {
            if (index % 777 == 0) {
                restarted = new PartitionChunks(limits, restarted.openChunks(), restarted.streamTime(), restarted.lastOffset());
            }
            restartedClosed.add(starts(restarted.append(index * 2L, timestamps[index], sizes[index]).closed()));
        }
        assertEquals(straightClosed, restartedClosed);
        assertTrue(straightClosed.stream().mapToInt(List::size).sum() > 100);
    }

    @Test
    void everyRecordBelowTheWatermarkIsInAClosedChunk() {
        PartitionChunks chunks = chunks(limits(2, 1_000_000, 100 * HOUR, 4, Long.MAX_VALUE));
        chunks.append(0, NINE_O_CLOCK, 10);
        chunks.append(1, NINE_O_CLOCK + HOUR, 10);
        PartitionChunks.Appended closing = chunks.append(2, NINE_O_CLOCK, 10);
        assertEquals(List.of(0L), starts(closing.closed()));
        assertEquals(1, chunks.completeBelow(List.of()));
        OpenChunk open = chunks.openChunks().get(0);
        assertEquals(3, chunks.completeBelowOnceUploaded(open));
        chunks.markUploaded(open);
        assertEquals(3, chunks.completeBelow(List.of()));
    }

    @Test
    void anIdleUploadMarksOnlyTheRecordsItHeldAsInS3() {
        PartitionChunks chunks = chunks(limits(10, 1_000_000, 100 * HOUR, 4, Long.MAX_VALUE));
        chunks.append(0, NINE_O_CLOCK, 10);
        OpenChunk asUploaded = chunks.append(1, NINE_O_CLOCK, 10).chunk();
        chunks.append(2, NINE_O_CLOCK, 10);
        OpenChunk marked = chunks.markUploaded(asUploaded).orElseThrow();
        assertEquals(2, marked.uploadedRecordCount());
        assertTrue(marked.hasRecordsOutsideS3());
        assertEquals(0, chunks.completeBelow(List.of()));
    }

    @Test
    void theWatermarkCountsOpenChunksThatEarlierUploadsHoldWhole() {
        PartitionChunks chunks = chunks(limits(10, 1_000_000, 100 * HOUR, 4, Long.MAX_VALUE));
        OpenChunk nine = chunks.append(0, NINE_O_CLOCK, 10).chunk();
        OpenChunk ten = chunks.append(1, NINE_O_CLOCK + HOUR, 10).chunk();
        assertEquals(1, chunks.completeBelow(List.of(), List.of(nine)));
        assertEquals(2, chunks.completeBelow(List.of(), List.of(nine, ten)));
        chunks.append(2, NINE_O_CLOCK, 10);
        assertEquals(0, chunks.completeBelow(List.of(), List.of(nine, ten)));
    }

    @Test
    void anIdleUploadOfAChunkThatClosedSinceMarksNothing() {
        PartitionChunks chunks = chunks(limits(2, 1_000_000, 100 * HOUR, 4, Long.MAX_VALUE));
        OpenChunk asUploaded = chunks.append(0, NINE_O_CLOCK, 10).chunk();
        chunks.append(1, NINE_O_CLOCK, 10);
        chunks.append(2, NINE_O_CLOCK, 10);
        assertTrue(chunks.markUploaded(asUploaded).isEmpty());
        assertEquals(2, chunks.openChunks().get(0).startOffset());
        assertEquals(0, chunks.openChunks().get(0).uploadedRecordCount());
    }

    @Test
    void refusesOffsetsThatGoBackwards() {
        PartitionChunks chunks = chunks(limits(2, 1_000_000, HOUR, 4, Long.MAX_VALUE));
        chunks.append(5, NINE_O_CLOCK, 10);
        assertThrows(IllegalArgumentException.class, () -> chunks.append(5, NINE_O_CLOCK, 10));
    }
}
