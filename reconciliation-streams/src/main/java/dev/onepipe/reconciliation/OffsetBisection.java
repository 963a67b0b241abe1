package dev.onepipe.reconciliation;

import java.util.ArrayList;
import java.util.List;

/**
 * Narrows a raw bucket whose fingerprints differ down to the offsets that differ, by bisection over offset ranges:
 * a range whose two fingerprints (count and hash sum) are equal holds the same records in both systems and is not
 * looked into further; a differing range is split in two halves, down to single offsets. For d differing offsets in
 * a range of n offsets this compares O(d log n) range fingerprints.
 *
 * <p>At a single offset, with e records in the expected system (the topic) and a in the other (the archive):
 * a &lt; e is MISSING (e.g. not archived), a &gt; e is EXTRA (e.g. archived twice), equal counts with different hashes
 * is DIFFERENT (the bytes differ).
 */
public final class OffsetBisection {

    private OffsetBisection() {
    }

    /**
     * The offsets in {@code [from, to]} (inclusive) at which {@code actual} differs from {@code expected}.
     *
     * @param expected the reference system's records, sealed
     * @param actual   the other system's records, sealed
     * @param limit    at most this many offsets listed per kind; the rest are only counted
     */
    public static Differences compare(OffsetHashes expected, OffsetHashes actual, long from, long to, int limit) {
        return compare(expected, actual, from, to, limit, false);
    }

    /**
     * As {@link #compare(OffsetHashes, OffsetHashes, long, long, int)}; with {@code compacted} (the expected system is
     * a compacted topic), an offset only {@code actual} holds, once, counts as removed by compaction
     * ({@link Differences#compacted()}) instead of extra: the log cleaner removes superseded records, so the topic not
     * having an archived offset is what compaction does. Held more than once, the copies beyond the first are extra.
     */
    public static Differences compare(OffsetHashes expected, OffsetHashes actual, long from, long to, int limit, boolean compacted) {
        Differences differences = new Differences(limit, compacted);
        if (from <= to) {
            bisect(expected, actual, from, to, differences);
        }
        return differences;
    }

    private static void bisect(OffsetHashes expected, OffsetHashes actual, long from, long to, Differences differences) {
        Fingerprint left = expected.range(from, to);
        Fingerprint right = actual.range(from, to);
        if (left.count() == right.count() && left.hashSum() == right.hashSum()) {
            return;
        }
        if (left.isEmpty() && right.isEmpty()) {
            return;
        }
        // Skip the empty stretches at both ends: the offsets of a bucket are sparse (other hours, markers).
        long low = Math.max(from, Math.min(left.firstOffset(), right.firstOffset()));
        long high = Math.min(to, Math.max(left.lastOffset(), right.lastOffset()));
        if (low == high) {
            if (right.count() < left.count()) {
                differences.missing.add(low, left.count() - right.count());
            } else if (right.count() > left.count() && left.count() == 0 && differences.compactedTopic) {
                differences.compacted.add(low, 1);
                if (right.count() > 1) {
                    differences.extra.add(low, right.count() - 1);
                }
            } else if (right.count() > left.count()) {
                differences.extra.add(low, right.count() - left.count());
            } else {
                differences.different.add(low, left.count());
            }
            return;
        }
        long middle = low + (high - low) / 2;
        bisect(expected, actual, low, middle, differences);
        bisect(expected, actual, middle + 1, high, differences);
    }

    /** Offsets of one kind of difference, in increasing order: the first {@code limit} listed, all counted. */
    public static final class OffsetList {

        private final int limit;
        private final List<Long> listed = new ArrayList<>();
        private long offsets;
        private long records;

        OffsetList(int limit) {
            this.limit = limit;
        }

        void add(long offset, long recordCount) {
            if (listed.size() < limit) {
                listed.add(offset);
            }
            offsets++;
            records += recordCount;
        }

        void addAll(OffsetList other) {
            for (long offset : other.listed) {
                if (listed.size() < limit) {
                    listed.add(offset);
                }
            }
            offsets += other.offsets;
            records += other.records;
        }

        /** The first offsets found, at most the limit. */
        public List<Long> listed() {
            return List.copyOf(listed);
        }

        /** How many offsets differ in this way. */
        public long offsets() {
            return offsets;
        }

        /** How many records those offsets account for (an offset archived three times is two extra records). */
        public long records() {
            return records;
        }

        public boolean isEmpty() {
            return offsets == 0;
        }

        /** Offsets as ranges of consecutive offsets ({@code 120-129, 200}), then "and N more" beyond the limit. */
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            int index = 0;
            while (index < listed.size()) {
                int end = index;
                while (end + 1 < listed.size() && listed.get(end + 1) == listed.get(end) + 1) {
                    end++;
                }
                if (text.length() > 0) {
                    text.append(", ");
                }
                text.append(listed.get(index));
                if (end > index) {
                    text.append('-').append(listed.get(end));
                }
                index = end + 1;
            }
            if (offsets > listed.size()) {
                text.append(String.format(" and %,d more", offsets - listed.size()));
            }
            return text.toString();
        }
    }

    /**
     * What bisection found: offsets missing from, extra in, and different in the compared system, and (against a
     * compacted topic) the offsets only the compared system holds, which compaction removed from the topic.
     */
    public static final class Differences {

        private final boolean compactedTopic;
        private final OffsetList missing;
        private final OffsetList extra;
        private final OffsetList different;
        private final OffsetList compacted;

        Differences(int limit) {
            this(limit, false);
        }

        Differences(int limit, boolean compactedTopic) {
            this.compactedTopic = compactedTopic;
            this.missing = new OffsetList(limit);
            this.extra = new OffsetList(limit);
            this.different = new OffsetList(limit);
            this.compacted = new OffsetList(limit);
        }

        /** Offsets the archive holds once and a compacted topic no longer does: not a difference. */
        public OffsetList compacted() {
            return compacted;
        }

        public OffsetList missing() {
            return missing;
        }

        public OffsetList extra() {
            return extra;
        }

        public OffsetList different() {
            return different;
        }

        public boolean isEmpty() {
            return missing.isEmpty() && extra.isEmpty() && different.isEmpty();
        }

        /** The differences below the archive's watermark, and the extra and different ones above it (missing above it are pending). */
        static Differences merge(Differences below, Differences above, int limit) {
            Differences merged = new Differences(limit, below.compactedTopic || above.compactedTopic);
            merged.compacted.addAll(below.compacted);
            merged.compacted.addAll(above.compacted);
            merged.missing.addAll(below.missing);
            merged.extra.addAll(below.extra);
            merged.extra.addAll(above.extra);
            merged.different.addAll(below.different);
            merged.different.addAll(above.different);
            return merged;
        }
    }
}
