package dev.onepipe.reconciliation;

import java.util.ArrayList;
import java.util.List;

/**
 * The verdict on one clean bucket, clean topic against clean table.
 *
 * @param day         the event-time day in days since the epoch, or {@link CleanRows#ALL_DAYS}
 * @param status      the verdict
 * @param topic       the clean topic's fingerprint of the day
 * @param table       the clean table's fingerprint of the day
 * @param differences unique keys missing from, extra in, or different in the table
 */
public record CleanBucketVerdict(long day, BucketStatus status, CleanFingerprint topic, CleanFingerprint table,
                                 KeyBisection.Differences differences) {

    /** The keys bisection found, and every declared check whose values differ. */
    public String detail() {
        List<String> parts = new ArrayList<>();
        if (!differences.missing().isEmpty()) {
            parts.add("missing keys " + differences.missing());
        }
        if (!differences.extra().isEmpty()) {
            parts.add("extra keys " + differences.extra());
        }
        if (!differences.different().isEmpty()) {
            parts.add("different keys " + differences.different());
        }
        topic.checks().forEach((name, value) -> {
            String other = table.checks().get(name);
            if (!value.equals(other)) {
                parts.add(name + " " + value + " vs " + other);
            }
        });
        if (!differences.pending().isEmpty()) {
            parts.add("not yet in the table (changed by input above its onepipe.offset.<p>): keys " + differences.pending());
        }
        return String.join("; ", parts);
    }
}
