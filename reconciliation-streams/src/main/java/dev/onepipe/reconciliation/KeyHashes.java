package dev.onepipe.reconciliation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One system's rows of one clean bucket as (unique key, row hash) pairs, sorted by key once ({@link #seal()}), from
 * which the count and hash sum of the rows in any key range are read in O(log n). What {@link KeyBisection} narrows a
 * differing clean bucket with.
 */
public final class KeyHashes {

    private record Row(String key, long hash) {
    }

    private final List<Row> rows = new ArrayList<>();
    private String[] keys;
    private long[] prefixSums;

    /** Adds one row; not after {@link #seal()}. */
    public void add(String key, long rowHash) {
        if (keys != null) {
            throw new IllegalStateException("sealed");
        }
        rows.add(new Row(key, rowHash));
    }

    /** Sorts by key and sums the hashes; idempotent. Returns this. */
    public KeyHashes seal() {
        if (keys != null) {
            return this;
        }
        rows.sort((left, right) -> left.key.equals(right.key) ? Long.compare(left.hash, right.hash) : left.key.compareTo(right.key));
        keys = new String[rows.size()];
        prefixSums = new long[rows.size() + 1];
        for (int index = 0; index < rows.size(); index++) {
            keys[index] = rows.get(index).key;
            prefixSums[index + 1] = prefixSums[index] + rows.get(index).hash;
        }
        return this;
    }

    /** The distinct keys, sorted. */
    public List<String> distinctKeys() {
        seal();
        List<String> distinct = new ArrayList<>();
        for (String key : keys) {
            if (distinct.isEmpty() || !distinct.get(distinct.size() - 1).equals(key)) {
                distinct.add(key);
            }
        }
        return distinct;
    }

    /** The sum mod 2^64 of every row's hash. */
    public long hashSum() {
        seal();
        return prefixSums[keys.length];
    }

    /** Rows held, duplicates included. */
    public int size() {
        return rows.size();
    }

    /** The number of rows and the sum of their hashes for keys in {@code [from, to]} (inclusive, by {@link String#compareTo}). */
    public long[] range(String from, String to) {
        seal();
        int start = lowerBound(from, false);
        int end = lowerBound(to, true);
        return start >= end ? new long[] {0, 0} : new long[] {end - start, prefixSums[end] - prefixSums[start]};
    }

    /** The first index whose key is at least {@code key} (or, with {@code after}, greater than it). */
    private int lowerBound(String key, boolean after) {
        int low = 0;
        int high = keys.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            int comparison = keys[middle].compareTo(key);
            if (comparison < 0 || (after && comparison == 0)) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    static String[] union(KeyHashes left, KeyHashes right) {
        List<String> all = new ArrayList<>(left.distinctKeys());
        all.addAll(right.distinctKeys());
        return all.stream().distinct().sorted().toArray(String[]::new);
    }

    @Override
    public String toString() {
        return rows.size() + " rows" + (keys == null ? "" : " " + Arrays.toString(Arrays.copyOf(keys, Math.min(3, keys.length))));
    }
}
