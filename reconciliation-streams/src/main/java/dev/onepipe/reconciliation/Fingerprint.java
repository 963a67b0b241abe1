package dev.onepipe.reconciliation;

/**
 * What one system holds of one raw bucket: how many records, the lowest and highest offset among them, and the
 * sum modulo 2^64 of their {@link RecordHash}es.
 *
 * <p>A sum rather than an XOR: a record held twice adds its hash twice (an XOR would cancel it), and the sum does
 * not depend on the order in which records are read, so a topic read partition by partition and an archive read
 * object by object agree exactly when they hold the same multiset of records (up to 64-bit hash collisions).
 *
 * @param count       records, duplicates included
 * @param firstOffset the lowest offset, {@code Long.MAX_VALUE} when empty
 * @param lastOffset  the highest offset, {@code -1} when empty
 * @param hashSum     the sum of the records' hashes, wrapping at 2^64
 */
public record Fingerprint(long count, long firstOffset, long lastOffset, long hashSum) {

    public static final Fingerprint EMPTY = new Fingerprint(0, Long.MAX_VALUE, -1, 0);

    /** This fingerprint with one more record. */
    public Fingerprint plus(long offset, long hash) {
        return new Fingerprint(count + 1, Math.min(firstOffset, offset), Math.max(lastOffset, offset), hashSum + hash);
    }

    /** The fingerprint of both fingerprints' records together (associative and commutative). */
    public Fingerprint combine(Fingerprint other) {
        return new Fingerprint(count + other.count, Math.min(firstOffset, other.firstOffset), Math.max(lastOffset, other.lastOffset),
                hashSum + other.hashSum);
    }

    public boolean isEmpty() {
        return count == 0;
    }

    @Override
    public String toString() {
        return isEmpty() ? "empty" : String.format("%,d records, offsets %d..%d, hash sum %016x", count, firstOffset, lastOffset, hashSum);
    }
}
