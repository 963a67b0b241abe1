package dev.onepipe.reconciliation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Compares a dataset's clean topic (the latest state of each unique key) with its clean table, day by day, and narrows
 * every day that differs to its unique keys ({@link KeyBisection}). Pure: no I/O.
 *
 * <p>The table is written after the clean topic, and both after the dataset topic: a key changed by input the table
 * does not cover yet (an input record at or above the table snapshot's {@code onepipe.offset.<p>}) is in flight, and
 * its difference is NOT YET ARCHIVED rather than MISSING, EXTRA or DIFFERENT; every other key's difference counts.
 */
public final class CleanReconciliation {

    private CleanReconciliation() {
    }

    /**
     * @param topic    the clean topic's rows
     * @param table    the clean table's rows
     * @param caughtUp whether the table covers every input offset the clean topic can reflect (false: every differing
     *                 key is in flight)
     * @param limit    keys listed per kind and day, the rest counted
     */
    public static List<CleanBucketVerdict> compare(CleanRows topic, CleanRows table, boolean caughtUp, int limit) {
        return compare(topic, table, key -> !caughtUp, limit);
    }

    /**
     * @param topic    the rows of the system compared with the table (clean topic, or the raw side's merged state)
     * @param table    the clean table's rows
     * @param inFlight whether a unique key was changed by input the table does not cover yet
     * @param limit    keys listed per kind and day, the rest counted
     * @return one verdict per event-time day either side holds, in day order
     */
    public static List<CleanBucketVerdict> compare(CleanRows topic, CleanRows table, Predicate<String> inFlight, int limit) {
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
                    tableRows.getOrDefault(day, new KeyHashes()), inFlight, limit);
            boolean pending = !differences.pending().isEmpty();
            BucketStatus status;
            if (left.equals(right) && differences.isEmpty() && !pending) {
                status = BucketStatus.OK;
            } else if (differences.isEmpty() && pending) {
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
