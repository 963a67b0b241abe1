package dev.onepipe.reconciliation;

/**
 * The verdict on one raw bucket, topic against raw archive.
 *
 * @param bucket      the partition and record-time hour
 * @param status      the verdict
 * @param topic       the topic's records of the bucket in the compared offset range
 * @param archive     the archive's records of the bucket in the compared offset range
 * @param differences offsets missing from, extra in, or different in the archive, below its completeness watermark
 * @param pending     the topic's records of the bucket at or above the archive's watermark that the archive lacks
 */
public record RawBucketVerdict(RawBucket bucket, BucketStatus status, Fingerprint topic, Fingerprint archive,
                               OffsetBisection.Differences differences, long pending) {

    /** What to print after the status: the offsets found by bisection, or how many records are pending. */
    public String detail() {
        StringBuilder text = new StringBuilder();
        if (!differences.missing().isEmpty()) {
            text.append("missing offsets ").append(differences.missing());
        }
        if (!differences.extra().isEmpty()) {
            text.append(text.length() > 0 ? "; " : "").append("extra at offsets ").append(differences.extra())
                    .append(String.format(" (%,d extra record%s)", differences.extra().records(), differences.extra().records() == 1 ? "" : "s"));
        }
        if (!differences.different().isEmpty()) {
            text.append(text.length() > 0 ? "; " : "").append("different at offsets ").append(differences.different());
        }
        if (!differences.compacted().isEmpty()) {
            text.append(text.length() > 0 ? "; " : "").append(String.format(java.util.Locale.ROOT, "%,d archived %s removed from the topic by compaction",
                    differences.compacted().offsets(), differences.compacted().offsets() == 1 ? "record" : "records"));
        }
        if (pending > 0) {
            text.append(text.length() > 0 ? "; " : "").append(String.format(java.util.Locale.ROOT, "%,d %s not yet archived", pending, pending == 1 ? "record" : "records"));
        }
        return text.toString();
    }
}
