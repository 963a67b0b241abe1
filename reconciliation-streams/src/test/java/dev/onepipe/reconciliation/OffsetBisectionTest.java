package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class OffsetBisectionTest {

    /** Offsets 0..999 with even offsets only (odd ones are "transaction markers"), each with a random hash. */
    private static long[] hashes() {
        Random random = new Random(11);
        return LongStream.range(0, 1000).map(any -> random.nextLong()).toArray();
    }

    private static OffsetHashes evenOffsets(long[] hashes) {
        OffsetHashes records = new OffsetHashes();
        for (int offset = 0; offset < hashes.length; offset += 2) {
            records.add(offset, hashes[offset]);
        }
        return records;
    }

    @Test
    void equalSystemsHaveNoDifferences() {
        long[] hashes = hashes();
        assertTrue(OffsetBisection.compare(evenOffsets(hashes).seal(), evenOffsets(hashes).seal(), 0, Long.MAX_VALUE, 10).isEmpty());
    }

    @Test
    void namesEveryMissingExtraAndDifferentOffset() {
        long[] hashes = hashes();
        OffsetHashes topic = evenOffsets(hashes).seal();
        OffsetHashes archive = new OffsetHashes();
        for (int offset = 0; offset < hashes.length; offset += 2) {
            boolean missing = offset == 100 || (offset >= 500 && offset < 520);
            if (!missing) {
                archive.add(offset, offset == 800 ? hashes[offset] + 1 : hashes[offset]);
            }
            if (offset == 700) {
                archive.add(offset, hashes[offset]);
                archive.add(offset, hashes[offset]);
            }
        }
        archive.add(2000, 42);
        archive.seal();

        OffsetBisection.Differences differences = OffsetBisection.compare(topic, archive, 0, Long.MAX_VALUE, 100);
        assertEquals(List.of(100L, 500L, 502L, 504L, 506L, 508L, 510L, 512L, 514L, 516L, 518L), differences.missing().listed());
        assertEquals(11, differences.missing().records());
        assertEquals(List.of(700L, 2000L), differences.extra().listed());
        assertEquals(3, differences.extra().records(), "offset 700 held three times is two extra records, plus offset 2000");
        assertEquals(List.of(800L), differences.different().listed());
    }

    @Test
    void listsAtMostTheLimitAndCountsTheRest() {
        long[] hashes = hashes();
        OffsetHashes topic = evenOffsets(hashes).seal();
        OffsetHashes archive = new OffsetHashes();
        for (int offset = 0; offset < 400; offset += 2) {
            archive.add(offset, hashes[offset]);
        }
        archive.seal();
        OffsetBisection.Differences differences = OffsetBisection.compare(topic, archive, 0, Long.MAX_VALUE, 5);
        assertEquals(List.of(400L, 402L, 404L, 406L, 408L), differences.missing().listed());
        assertEquals(300, differences.missing().offsets());
        assertEquals("400, 402, 404, 406, 408 and 295 more", differences.missing().toString());
    }

    @Test
    void consecutiveOffsetsPrintAsRanges() {
        OffsetHashes topic = new OffsetHashes();
        LongStream.range(10, 20).forEach(offset -> topic.add(offset, offset * 31));
        topic.add(25, 7);
        OffsetBisection.Differences differences = OffsetBisection.compare(topic.seal(), new OffsetHashes().seal(), 0, 100, 20);
        assertEquals("10-19, 25", differences.missing().toString());
    }

    @Test
    void comparesOnlyTheRangeAskedFor() {
        OffsetHashes topic = new OffsetHashes();
        LongStream.range(0, 100).forEach(offset -> topic.add(offset, offset));
        OffsetHashes archive = new OffsetHashes();
        LongStream.range(0, 50).forEach(offset -> archive.add(offset, offset));
        OffsetBisection.Differences differences = OffsetBisection.compare(topic.seal(), archive.seal(), 0, 59, 100);
        assertEquals(10, differences.missing().offsets());
        assertEquals(50L, differences.missing().listed().get(0));
    }

    @Test
    void rangeFingerprintsOfUnsortedInputMatchTheSortedOnes() {
        OffsetHashes forward = new OffsetHashes();
        OffsetHashes backward = new OffsetHashes();
        for (long offset = 0; offset < 100; offset++) {
            forward.add(offset, offset * 1_000_003);
            backward.add(99 - offset, (99 - offset) * 1_000_003);
        }
        forward.seal();
        backward.seal();
        assertEquals(forward.range(10, 20), backward.range(10, 20));
        assertEquals(11, forward.range(10, 20).count());
        assertEquals(LongStream.rangeClosed(10, 20).map(offset -> offset * 1_000_003).sum(), forward.range(10, 20).hashSum());
    }
}
