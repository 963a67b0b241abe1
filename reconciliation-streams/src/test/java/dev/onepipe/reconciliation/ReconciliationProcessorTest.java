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
        ReconciliationProcessor.Decision decision = decide(print(120, 400, 519, 5), print(100, 400, 499, 3), 500, 519, END_NOT_ASKED, null);
        assertEquals(ReconciliationProcessor.Action.JUDGED, decision.action());
        assertEquals(BucketStatus.NOT_YET_ARCHIVED, decision.verdict().status());
        assertEquals(20, decision.verdict().pending());
        // Every record above the watermark: pending too.
        assertEquals(BucketStatus.NOT_YET_ARCHIVED, decide(print(3, 600, 602, 5), Fingerprint.EMPTY, 500, 602, END_NOT_ASKED, null).verdict().status());
        // The archive holds fewer than the 120 - (519 - 500 + 1) = 100 records certainly below the watermark: bisected.
        assertEquals(ReconciliationProcessor.Action.BISECT, decide(print(120, 400, 519, 5), print(99, 400, 499, 3), 500, 519, END_NOT_ASKED, null).action());
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
}
