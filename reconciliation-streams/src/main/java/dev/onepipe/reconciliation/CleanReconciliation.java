package dev.onepipe.reconciliation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a dataset's clean topic (the latest state of each unique key) with its clean table, day by day, and narrows
 * every day that differs to its unique keys ({@link KeyBisection}). Pure: no I/O.
 *
 * <p>The table is written after the clean topic: while it has not caught up with the dataset's topic (its snapshot's
 * {@code onepipe.offset.<p>} below the topic's end), a day that differs is NOT YET ARCHIVED rather than a difference.
 */
public final class CleanReconciliation {

    private CleanReconciliation() {
    }

    /**
     * @param topic    the clean topic's rows
     * @param table    the clean table's rows
     * @param caughtUp whether the table covers every input offset the clean topic can reflect
     * @param limit    keys listed per kind and day, the rest counted
     */
    public static List<CleanBucketVerdict> compare(CleanRows topic, CleanRows table, boolean caughtUp, int limit) {
        Map<Long, CleanFingerprint> topicPrints = topic.fingerprints();
        Map<Long, CleanFingerprint> tablePrints = table.fingerprints();
        Map<Long, KeyHashes> topicRows = topic.rows();
        Map<Long, KeyHashes> tableRows = table.rows();
        TreeSet<Long> days = new TreeSet<>(topicPrints.keySet());
        days.addAll(tablePrints.keySet());
        List<CleanBucketVerdict> verdicts = new ArrayList<>();
        for (long day : days) {
            CleanFingerprint left = topicPrints.getOrDefault(day, CleanFingerprint.EMPTY);
            CleanFingerprint right = tablePrints.getOrDefault(day, CleanFingerprint.EMPTY);
            KeyBisection.Differences differences = KeyBisection.compare(topicRows.getOrDefault(day, new KeyHashes()),
                    tableRows.getOrDefault(day, new KeyHashes()), limit);
            BucketStatus status;
            if (left.equals(right) && differences.isEmpty()) {
                status = BucketStatus.OK;
            } else if (!caughtUp) {
                status = BucketStatus.NOT_YET_ARCHIVED;
            } else if (!differences.different().isEmpty() || (!differences.missing().isEmpty() && !differences.extra().isEmpty())
                    || differences.isEmpty()) {
                status = BucketStatus.DIFFERENT;
            } else {
                status = differences.missing().isEmpty() ? BucketStatus.EXTRA : BucketStatus.MISSING;
            }
            verdicts.add(new CleanBucketVerdict(day, status, left, right, differences));
        }
        return verdicts;
    }
}
