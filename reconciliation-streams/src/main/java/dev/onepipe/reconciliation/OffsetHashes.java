package dev.onepipe.reconciliation;

import java.util.Arrays;

/**
 * One system's records of one raw bucket as (offset, hash) pairs, from which the {@link Fingerprint} of any offset
 * range is read in O(log n): the pairs are sorted once ({@link #seal()}) and the hashes prefix-summed. This is what
 * {@link OffsetBisection} narrows a differing bucket with, without reading any system again.
 *
 * <p>Memory: 16 bytes per record held (two {@code long}s), plus 8 for the prefix sums once sealed.
 */
public final class OffsetHashes {

    private long[] offsets = new long[64];
    private long[] hashes = new long[64];
    private long[] prefixSums;
    private int size;

    /** Adds one record; not after {@link #seal()}. */
    public void add(long offset, long hash) {
        if (prefixSums != null) {
            throw new IllegalStateException("sealed");
        }
        if (size == offsets.length) {
            offsets = Arrays.copyOf(offsets, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
        }
        offsets[size] = offset;
        hashes[size] = hash;
        size++;
    }

    /** Adds every pair of {@code other} (not sealed), after those held; not after {@link #seal()}. */
    public void addAll(OffsetHashes other) {
        if (prefixSums != null || other.prefixSums != null) {
            throw new IllegalStateException("sealed");
        }
        if (size + other.size > offsets.length) {
            offsets = Arrays.copyOf(offsets, Math.max(size * 2, size + other.size));
            hashes = Arrays.copyOf(hashes, offsets.length);
        }
        System.arraycopy(other.offsets, 0, offsets, size, other.size);
        System.arraycopy(other.hashes, 0, hashes, size, other.size);
        size += other.size;
    }

    /**
     * Sorts the pairs by offset unless they came in offset order (as a partition or an archive object is read) and
     * sums the hashes; idempotent. Returns this.
     */
    public OffsetHashes seal() {
        if (prefixSums != null) {
            return this;
        }
        boolean sorted = true;
        for (int index = 1; index < size && sorted; index++) {
            sorted = offsets[index - 1] <= offsets[index];
        }
        if (sorted) {
            prefixSums = new long[size + 1];
            for (int index = 0; index < size; index++) {
                prefixSums[index + 1] = prefixSums[index] + hashes[index];
            }
            return this;
        }
        long[][] pairs = new long[size][];
        for (int index = 0; index < size; index++) {
            pairs[index] = new long[] {offsets[index], hashes[index]};
        }
        Arrays.sort(pairs, (left, right) -> left[0] != right[0] ? Long.compare(left[0], right[0]) : Long.compare(left[1], right[1]));
        offsets = new long[size];
        hashes = new long[size];
        prefixSums = new long[size + 1];
        for (int index = 0; index < size; index++) {
            offsets[index] = pairs[index][0];
            hashes[index] = pairs[index][1];
            prefixSums[index + 1] = prefixSums[index] + hashes[index];
        }
        return this;
    }

    /** Records held, duplicates included. */
    public int size() {
        return size;
    }

    /**
     * The fingerprint of the records with {@code from <= offset <= to}.
     *
     * @throws IllegalStateException before {@link #seal()}
     */
    public Fingerprint range(long from, long to) {
        if (prefixSums == null) {
            throw new IllegalStateException("seal() first");
        }
        if (from > to) {
            return Fingerprint.EMPTY;
        }
        int start = lowerBound(from);
        int end = to == Long.MAX_VALUE ? size : lowerBound(to + 1);
        if (start >= end) {
            return Fingerprint.EMPTY;
        }
        return new Fingerprint(end - start, offsets[start], offsets[end - 1], prefixSums[end] - prefixSums[start]);
    }

    /** The fingerprint of every record held. */
    public Fingerprint all() {
        return range(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** The first index whose offset is at least {@code offset}. */
    private int lowerBound(long offset) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (offsets[middle] < offset) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
