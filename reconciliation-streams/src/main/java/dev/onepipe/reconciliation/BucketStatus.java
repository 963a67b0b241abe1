package dev.onepipe.reconciliation;

/** The verdict on one bucket of one pair of systems. */
public enum BucketStatus {
    /** Both systems hold the same records (equal count and hash sum). */
    OK,
    /** The second system lacks records the first holds (offsets or unique keys listed). */
    MISSING,
    /** The second system holds records the first does not, or holds some twice. */
    EXTRA,
    /** Both hold records at the same offsets or keys, with different contents; or a mix of missing and extra. */
    DIFFERENT,
    /** The second system has not reached these records yet (above the archive's completeness watermark). */
    NOT_YET_ARCHIVED;

    /** True for a status that means the systems disagree. */
    public boolean isDifference() {
        return this == MISSING || this == EXTRA || this == DIFFERENT;
    }

    /** The status as printed: {@code NOT YET ARCHIVED}. */
    public String label() {
        return name().replace('_', ' ');
    }
}
