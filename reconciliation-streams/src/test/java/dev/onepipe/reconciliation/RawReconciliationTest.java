package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class RawReconciliationTest {

    private static final RawBucket HOUR_7 = new RawBucket(0, 490_000);
    private static final RawBucket HOUR_8 = new RawBucket(0, 490_001);

    private static OffsetHashes offsets(long from, long to) {
        OffsetHashes hashes = new OffsetHashes();
        LongStream.range(from, to).forEach(offset -> hashes.add(offset, offset * 7919));
        return hashes.seal();
    }

    @Test
    void aBucketTheArchiveLacksIsMissingWithItsOffsetRange() {
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(HOUR_7, offsets(0, 100), HOUR_8, offsets(100, 200)),
                Map.of(HOUR_8, offsets(100, 200)), Map.of(0, 0L), Map.of(0, 200L), 5);
        assertEquals(2, verdicts.size());
        assertEquals(BucketStatus.MISSING, verdicts.get(0).status());
        assertEquals("0-4 and 95 more", verdicts.get(0).differences().missing().toString());
        assertEquals(100, verdicts.get(0).differences().missing().offsets());
        assertEquals(BucketStatus.OK, verdicts.get(1).status());
    }

    @Test
    void archiveRecordsAtOrAboveTheTopicsEndAsReadAreNotCompared() {
        // The topic was read to offset 100; meanwhile the archive uploaded offsets 100..119 (and re-uploaded its open
        // chunk with them): not EXTRA. A real extra record below the end (offset 50 twice) still is.
        OffsetHashes archived = offsets(0, 120);
        assertEquals(List.of(BucketStatus.OK), RawReconciliation.compare(Map.of(HOUR_7, offsets(0, 100)), Map.of(HOUR_7, archived),
                Map.of(0, 0L), Map.of(0, 100L), Map.of(0, 120L), 5).stream().map(RawBucketVerdict::status).toList());
        OffsetHashes withDuplicate = new OffsetHashes();
        LongStream.range(0, 120).forEach(offset -> withDuplicate.add(offset, offset * 7919));
        withDuplicate.add(50, 50 * 7919);
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(HOUR_7, offsets(0, 100)), Map.of(HOUR_7, withDuplicate.seal()),
                Map.of(0, 0L), Map.of(0, 100L), Map.of(0, 120L), 5);
        assertEquals(BucketStatus.EXTRA, verdicts.get(0).status());
        assertEquals("50", verdicts.get(0).differences().extra().toString());
        // without the bound (the continuous topology's call), the records beyond are extra
        assertEquals(BucketStatus.EXTRA, RawReconciliation.compare(Map.of(HOUR_7, offsets(0, 100)), Map.of(HOUR_7, archived),
                Map.of(0, 0L), Map.of(0, 120L), 5).get(0).status());
    }

    @Test
    void againstACompactedTopicOffsetsOnlyTheArchiveHoldsWereRemovedByCompactionNotExtra() {
        // the cleaner kept every third offset of 0..59; the archive has all 60, and offset 30 twice
        OffsetHashes kept = new OffsetHashes();
        LongStream.range(0, 60).filter(offset -> offset % 3 == 0).forEach(offset -> kept.add(offset, offset * 7919));
        OffsetHashes archived = new OffsetHashes();
        LongStream.range(0, 60).forEach(offset -> archived.add(offset, offset * 7919));
        archived.add(30, 30 * 7919);
        RawBucketVerdict compacted = RawReconciliation.compare(Map.of(HOUR_7, kept.seal()), Map.of(HOUR_7, archived.seal()), Map.of(0, 0L),
                Map.of(0, 60L), Map.of(0, 60L), 5, true).get(0);
        assertEquals(BucketStatus.EXTRA, compacted.status());
        assertEquals("30", compacted.differences().extra().toString());
        assertEquals(40, compacted.differences().compacted().offsets());
        assertTrue(compacted.detail().contains("40 archived records removed from the topic by compaction"), compacted.detail());
        OffsetHashes once = new OffsetHashes();
        LongStream.range(0, 60).forEach(offset -> once.add(offset, offset * 7919));
        assertEquals(BucketStatus.OK, RawReconciliation.compare(Map.of(HOUR_7, kept), Map.of(HOUR_7, once.seal()), Map.of(0, 0L),
                Map.of(0, 60L), Map.of(0, 60L), 5, true).get(0).status());
        // the same records against a topic that is not compacted: 40 extra offsets
        RawBucketVerdict deleting = RawReconciliation.compare(Map.of(HOUR_7, kept), Map.of(HOUR_7, once), Map.of(0, 0L),
                Map.of(0, 60L), Map.of(0, 60L), 5, false).get(0);
        assertEquals(BucketStatus.EXTRA, deleting.status());
        assertEquals(40, deleting.differences().extra().offsets());
    }

    @Test
    void recordsAboveTheWatermarkAreNotYetArchived() {
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(HOUR_7, offsets(0, 100)), Map.of(HOUR_7, offsets(0, 60)),
                Map.of(0, 0L), Map.of(0, 60L), 5);
        assertEquals(BucketStatus.NOT_YET_ARCHIVED, verdicts.get(0).status());
        assertEquals(40, verdicts.get(0).pending());
    }

    @Test
    void aGapBelowTheWatermarkIsMissingEvenWithPendingRecordsAbove() {
        OffsetHashes archive = new OffsetHashes();
        LongStream.range(0, 60).filter(offset -> offset != 30).forEach(offset -> archive.add(offset, offset * 7919));
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(HOUR_7, offsets(0, 100)), Map.of(HOUR_7, archive.seal()),
                Map.of(0, 0L), Map.of(0, 60L), 5);
        assertEquals(BucketStatus.MISSING, verdicts.get(0).status());
        assertEquals(List.of(30L), verdicts.get(0).differences().missing().listed());
        assertEquals(40, verdicts.get(0).pending());
    }

    @Test
    void aDuplicateAboveTheWatermarkIsStillExtra() {
        OffsetHashes archive = new OffsetHashes();
        LongStream.range(0, 80).forEach(offset -> archive.add(offset, offset * 7919));
        archive.add(70, 70 * 7919);
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(HOUR_7, offsets(0, 80)), Map.of(HOUR_7, archive.seal()),
                Map.of(0, 0L), Map.of(0, 60L), 5);
        assertEquals(BucketStatus.EXTRA, verdicts.get(0).status());
        assertEquals(List.of(70L), verdicts.get(0).differences().extra().listed());
    }

    @Test
    void archivedRecordsTheTopicNoLongerRetainsAreNotCompared() {
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(HOUR_8, offsets(100, 200)),
                Map.of(HOUR_7, offsets(0, 100), HOUR_8, offsets(100, 200)), Map.of(0, 100L), Map.of(0, 200L), 5);
        assertEquals(1, verdicts.size());
        assertEquals(BucketStatus.OK, verdicts.get(0).status());
    }

    @Test
    void aBucketOnlyTheArchiveHoldsIsExtraAndChangedBytesAreDifferent() {
        OffsetHashes changed = new OffsetHashes();
        LongStream.range(100, 200).forEach(offset -> changed.add(offset, offset == 150 ? 1 : offset * 7919));
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(HOUR_8, offsets(100, 200)),
                Map.of(HOUR_7, offsets(0, 10), HOUR_8, changed.seal()), Map.of(0, 0L), Map.of(0, 200L), 5);
        assertEquals(BucketStatus.EXTRA, verdicts.get(0).status());
        assertEquals(BucketStatus.DIFFERENT, verdicts.get(1).status());
        assertEquals(List.of(150L), verdicts.get(1).differences().different().listed());
    }
}
