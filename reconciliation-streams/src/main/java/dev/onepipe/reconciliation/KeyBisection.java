package dev.onepipe.reconciliation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Narrows a clean bucket whose fingerprints differ down to the unique keys that differ, by bisection over key ranges:
 * the sorted union of both systems' keys is halved while the two systems' (row count, row hash sum) over a key range
 * differ, down to single keys. At one key, with e rows in the expected system (the clean topic) and a in the other
 * (the clean table): a &lt; e MISSING, a &gt; e EXTRA (e.g. the key twice in the table), equal counts DIFFERENT (the rows
 * differ).
 */
public final class KeyBisection {

    private KeyBisection() {
    }

    /** Unique keys of one kind of difference, in key order: the first {@code limit} listed, all counted. */
    public static final class KeyList {
        private final int limit;
        private final List<String> listed = new ArrayList<>();
        private long count;

        KeyList(int limit) {
            this.limit = limit;
        }

        void add(String key) {
            if (listed.size() < limit) {
                listed.add(key);
            }
            count++;
        }

        public List<String> listed() {
            return List.copyOf(listed);
        }

        public long count() {
            return count;
        }

        public boolean isEmpty() {
            return count == 0;
        }

        @Override
        public String toString() {
            return String.join(", ", listed) + (count > listed.size() ? String.format(" and %,d more", count - listed.size()) : "");
        }
    }

    /**
     * The keys missing from, extra in and different in the compared system, and apart from them the differing keys
     * still in flight (changed by input the compared system does not cover yet: not a difference, yet).
     */
    public record Differences(KeyList missing, KeyList extra, KeyList different, KeyList pending) {

        /** True when no settled key differs (keys in flight aside). */
        public boolean isEmpty() {
            return missing.isEmpty() && extra.isEmpty() && different.isEmpty();
        }
    }

    /** The keys at which {@code actual} differs from {@code expected}; at most {@code limit} listed per kind. */
    public static Differences compare(KeyHashes expected, KeyHashes actual, int limit) {
        return compare(expected, actual, key -> false, limit);
    }

    /**
     * As {@link #compare(KeyHashes, KeyHashes, int)}, a differing key for which {@code inFlight} is true listed as
     * pending instead of missing, extra or different.
     */
    public static Differences compare(KeyHashes expected, KeyHashes actual, Predicate<String> inFlight, int limit) {
        Differences differences = new Differences(new KeyList(limit), new KeyList(limit), new KeyList(limit), new KeyList(limit));
        String[] keys = KeyHashes.union(expected, actual);
        if (keys.length > 0) {
            bisect(expected, actual, keys, 0, keys.length - 1, inFlight, differences);
        }
        return differences;
    }

    private static void bisect(KeyHashes expected, KeyHashes actual, String[] keys, int low, int high, Predicate<String> inFlight,
                               Differences differences) {
        long[] left = expected.range(keys[low], keys[high]);
        long[] right = actual.range(keys[low], keys[high]);
        if (left[0] == right[0] && left[1] == right[1]) {
            return;
        }
        if (low == high) {
            if (inFlight.test(keys[low])) {
                differences.pending().add(keys[low]);
            } else if (right[0] < left[0]) {
                differences.missing().add(keys[low]);
            } else if (right[0] > left[0]) {
                differences.extra().add(keys[low]);
            } else {
                differences.different().add(keys[low]);
            }
            return;
        }
        int middle = (low + high) >>> 1;
        bisect(expected, actual, keys, low, middle, inFlight, differences);
        bisect(expected, actual, keys, middle + 1, high, inFlight, differences);
    }
}
