package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

/**
 * What a check of the continuous reconciliation does with one bucket from its fingerprints alone
 * ({@link ReconciliationProcessor#decide}), on hand-written fingerprints (the hash sums are arbitrary: only equality
 * matters here); and, for the late-record case, the verdict the bisection then reaches ({@link RawReconciliation}).
 */
class ReconciliationProcessorTest {

    private static final RawBucket BUCKET = new RawBucket(1, Instant.parse("2026-11-22T20:00:00Z").getEpochSecond() / 3600);
    private static final LongSupplier END_NOT_ASKED = () -> {
        throw new AssertionError("the topic's end offset is asked only when the archive is beyond the offsets read");
    };

    /** count records at consecutive offsets from first, with a hash sum. */
    private static Fingerprint print(long count, long first, long last, long sum) {
        return new Fingerprint(count, first, last, sum);
    }

    private static ReconciliationProcessor.Decision decide(Fingerprint topic, Fingerprint archive, long completeBelow, long readLast,
                                                           LongSupplier end, BucketStatus last) {
        return ReconciliationProcessor.decide(BUCKET, topic, archive, completeBelow, readLast, end, last);
    }

    @Test
    void aLateRecordInABucketFoundMissingIsBisectedNotCalledNotYetArchived() {
        // p1/20h: 36 records at offsets 100..135, its archive object deleted (MISSING 36/0); the archive's watermark is
        // 500 (later objects). Then 2 late records of 20h arrive at offsets 600 and 601, above the watermark.
        Fingerprint topic = print(38, 100, 601, 77);
        ReconciliationProcessor.Decision decision = decide(topic, Fingerprint.EMPTY, 500, 601, END_NOT_ASKED, BucketStatus.MISSING);
        assertEquals(ReconciliationProcessor.Action.BISECT, decision.action());
        assertEquals(601, decision.readTo());
        // After a restart (no last status in memory): the archive lacks the bucket's first offset, below the watermark.
        assertEquals(ReconciliationProcessor.Action.BISECT, decide(topic, Fingerprint.EMPTY, 500, 601, END_NOT_ASKED, null).action());

        // What the bisection then finds: the 36 below the watermark MISSING, only the 2 above it pending.
        OffsetHashes topicRecords = new OffsetHashes();
        for (long offset = 100; offset <= 135; offset++) {
            topicRecords.add(offset, offset * 31);
        }
        topicRecords.add(600, 1);
        topicRecords.add(601, 2);
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(BUCKET, topicRecords.seal()), Map.of(), Map.of(1, 100L), Map.of(1, 500L), 100);
        assertEquals(1, verdicts.size());
        assertEquals(BucketStatus.MISSING, verdicts.get(0).status());
        assertEquals(2, verdicts.get(0).pending());
        assertEquals("missing offsets 100-135; 2 records not yet archived", verdicts.get(0).detail());
    }

    @Test
    void aBucketTheArchiveIsStillWritingIsNotYetArchivedWithItsPendingCount() {
        // Offsets 400..519 of the bucket (120 records), the archive has 400..499 (100), watermark 500: 20 pending.
        // Judged before in this run as not yet archived (or OK), so no difference below the watermark is known.
        ReconciliationProcessor.Decision decision = decide(print(120, 400, 519, 5), print(100, 400, 499, 3), 500, 519, END_NOT_ASKED,
                BucketStatus.NOT_YET_ARCHIVED);
        assertEquals(ReconciliationProcessor.Action.JUDGED, decision.action());
        assertEquals(BucketStatus.NOT_YET_ARCHIVED, decision.verdict().status());
        assertEquals(20, decision.verdict().pending());
        assertEquals(BucketStatus.NOT_YET_ARCHIVED, decide(print(120, 400, 519, 5), print(100, 400, 499, 3), 500, 519, END_NOT_ASKED,
                BucketStatus.OK).verdict().status());
        // Not judged yet in this run (a restart forgets the statuses): bisected once, as the estimate below cannot see a
        // gap whose offsets other hours' records fill.
        assertEquals(ReconciliationProcessor.Action.BISECT, decide(print(120, 400, 519, 5), print(100, 400, 499, 3), 500, 519, END_NOT_ASKED,
                null).action());
        // Every record above the watermark: pending too, known or not.
        assertEquals(BucketStatus.NOT_YET_ARCHIVED, decide(print(3, 600, 602, 5), Fingerprint.EMPTY, 500, 602, END_NOT_ASKED, null).verdict().status());
        // The archive holds fewer than the 120 - (519 - 500 + 1) = 100 records certainly below the watermark: bisected.
        assertEquals(ReconciliationProcessor.Action.BISECT, decide(print(120, 400, 519, 5), print(99, 400, 499, 3), 500, 519, END_NOT_ASKED,
                BucketStatus.NOT_YET_ARCHIVED).action());
        // Equal: OK, closed or not.
        assertEquals(BucketStatus.OK, decide(print(120, 400, 519, 5), print(120, 400, 519, 5), 500, 519, END_NOT_ASKED, null).verdict().status());
        // Closed and different: bisected.
        assertEquals(ReconciliationProcessor.Action.BISECT, decide(print(120, 400, 519, 5), print(120, 400, 519, 6), 520, 519, END_NOT_ASKED, null).action());
    }

    @Test
    void archiveRecordsBeyondTheTopicsEndAreBisectedNotSkipped() {
        // Partition 3 read up to offset 199, its end offset 200; an object copied from partition 0 holds offsets 1000..1049.
        Fingerprint topic = print(50, 150, 199, 9);
        Fingerprint archive = print(100, 150, 1049, 11);
        ReconciliationProcessor.Decision decision = decide(topic, archive, 1050, 199, () -> 200, BucketStatus.OK);
        assertEquals(ReconciliationProcessor.Action.BISECT, decision.action());
        assertEquals(199, decision.readTo(), "the topic is read up to its end, not only to the offsets the topology read");
        // The topic does hold offsets up to 1049, which the topology has not read yet: wait for it.
        ReconciliationProcessor.Decision behind = decide(topic, archive, 1050, 199, () -> 2000, BucketStatus.OK);
        assertEquals(ReconciliationProcessor.Action.WAIT, behind.action());
        assertNull(behind.verdict());
    }

    @Test
    void aBisectionIsReusedOnlyWhileWhatItReadIsUnchanged() {
        // p1/20h: the topology read offsets 100..135, the archive holds 100..130 of them (5 MISSING), read up to 900.
        Fingerprint topic = print(36, 100, 135, 77);
        Fingerprint archive = print(31, 100, 130, 55);
        ReconciliationProcessor.Bisected made = ReconciliationProcessor.Bisected.of(topic, archive, 900, 500);
        assertEquals(135, made.to());
        assertEquals(136, made.watermark());
        // Later checks: the partition read further and the watermark moved on beyond the bucket: the same bisection.
        assertTrue(made.sameInputs(ReconciliationProcessor.Bisected.of(topic, archive, 2_000, 1_800)));
        // A record more on either side, or the watermark now inside the bucket: read again.
        assertFalse(made.sameInputs(ReconciliationProcessor.Bisected.of(print(37, 100, 136, 78), archive, 900, 500)));
        assertFalse(made.sameInputs(ReconciliationProcessor.Bisected.of(topic, print(32, 100, 131, 56), 900, 500)));
        assertFalse(made.sameInputs(ReconciliationProcessor.Bisected.of(topic, archive, 900, 120)));
        // Bisected up to the topic's end (the archive beyond what the topology read): a new end inside the bucket differs.
        ReconciliationProcessor.Bisected toEnd = ReconciliationProcessor.Bisected.of(topic, print(40, 100, 139, 90), 137, 500);
        assertEquals(137, toEnd.to());
        assertFalse(toEnd.sameInputs(ReconciliationProcessor.Bisected.of(topic, print(40, 100, 139, 90), 138, 500)));
    }

    @Test
    void recordsBelowTheLogStartOffsetAreJudgedByCountAndHashSum() {
        // The topology read offsets 100..199 of the bucket (hash sum 1000); retention has since moved the log start to 200.
        assertTrue(ReconciliationProcessor.belowLogStart(print(100, 100, 199, 1000), print(100, 100, 199, 1000), 200).isEmpty());
        ReconciliationProcessor.Residual missing = ReconciliationProcessor.belowLogStart(print(100, 100, 199, 1000), print(60, 100, 199, 600), 200)
                .orElseThrow();
        assertEquals(BucketStatus.MISSING, missing.status());
        assertEquals("40 of the 100 records the topology read below the log start offset 200 are not in the archive (the topic no longer"
                + " holds them: offsets not named)", missing.detail());
        assertEquals(BucketStatus.EXTRA, ReconciliationProcessor.belowLogStart(print(100, 100, 199, 1000), print(101, 100, 199, 1010), 200)
                .orElseThrow().status());
        ReconciliationProcessor.Residual altered = ReconciliationProcessor.belowLogStart(print(100, 100, 199, 1000), print(100, 100, 199, 1001), 200)
                .orElseThrow();
        assertEquals(BucketStatus.DIFFERENT, altered.status());
        assertEquals("the archive's 100 records below the log start offset 200 are not those the topology read there (offsets not named)",
                altered.detail());

        assertEquals(BucketStatus.MISSING, ReconciliationProcessor.combine(BucketStatus.OK, BucketStatus.MISSING));
        assertEquals(BucketStatus.MISSING, ReconciliationProcessor.combine(BucketStatus.NOT_YET_ARCHIVED, BucketStatus.MISSING));
        assertEquals(BucketStatus.EXTRA, ReconciliationProcessor.combine(BucketStatus.EXTRA, BucketStatus.EXTRA));
        assertEquals(BucketStatus.DIFFERENT, ReconciliationProcessor.combine(BucketStatus.EXTRA, BucketStatus.MISSING));
    }

    @Test
    void theBucketsBisectedLongestAgoGoFirst() {
        RawBucket hour1 = new RawBucket(0, 1);
        RawBucket hour2 = new RawBucket(0, 2);
        RawBucket hour3 = new RawBucket(0, 3);
        List<ReconciliationProcessor.Candidate> candidates = java.util.stream.Stream.of(hour1, hour2, hour3)
                .map(bucket -> new ReconciliationProcessor.Candidate(bucket, null, 0, Fingerprint.EMPTY, Fingerprint.EMPTY)).toList();
        // Hour 1 keeps getting late records and was bisected in the last check (7); hour 3 earlier (2); hour 2 never.
        Map<RawBucket, Long> lastBisected = Map.of(hour1, 7L, hour3, 2L);
        assertEquals(List.of(hour2, hour3), ReconciliationProcessor.inBisectionOrder(candidates, lastBisected, 2).stream()
                .map(ReconciliationProcessor.Candidate::bucket).toList());
        assertEquals(List.of(hour1, hour2, hour3), ReconciliationProcessor.inBisectionOrder(candidates, Map.of(), 5).stream()
                .map(ReconciliationProcessor.Candidate::bucket).toList());
    }
}
