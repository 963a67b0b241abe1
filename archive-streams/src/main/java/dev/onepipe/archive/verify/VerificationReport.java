package dev.onepipe.archive.verify;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * What {@code onepipe archive verify} found: per partition, the offsets covered, gaps, duplicates and how far
 * the archive's consumer group has committed.
 *
 * @param topic      the archived topic
 * @param location   where the archive is, e.g. {@code s3://bucket/raw/widgets/}
 * @param group      the archive application's consumer group
 * @param partitions one report per partition
 */
public record VerificationReport(String topic, String location, String group, List<PartitionReport> partitions) {

    /**
     * One partition.
     *
     * @param partition        the partition
     * @param objects          archived objects
     * @param records          archived records (each duplicate counted)
     * @param covered          offset ranges whose records are linked without a break
     * @param gaps             records missing from S3 that should be there, as readable descriptions
     * @param duplicates       offsets found more than once
     * @param earliestRetained the earliest offset the topic still holds
     * @param committed        the archive's committed offset (the next offset it will read), empty if none
     * @param completeBelow    every record below this offset should be in S3 by the archive's own account
     * @param pending          committed records at or above {@code completeBelow} not in S3 yet (still buffered)
     */
    public record PartitionReport(int partition, long objects, long records, List<OffsetRange> covered, List<String> gaps,
                                  List<Long> duplicates, long earliestRetained, OptionalLong committed, long completeBelow,
                                  long pending) {

        public boolean exactlyOnce() {
            return gaps.isEmpty() && duplicates.isEmpty();
        }

        /** Exactly once, and every record below the committed offset is in S3. */
        public boolean complete() {
            return exactlyOnce() && pending == 0 && committed.isPresent();
        }
    }

    /** Offsets {@code first} to {@code last}, both inclusive, holding {@code records} records. */
    public record OffsetRange(long first, long last, long records) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d..%,d (%,d records)", first, last, records);
        }
    }

    /** No gap and no duplicate in any partition. */
    public boolean exactlyOnce() {
        return partitions.stream().allMatch(PartitionReport::exactlyOnce);
    }

    /** Every record from the earliest retained to the committed offset is in S3 exactly once. */
    public boolean complete() {
        return !partitions.isEmpty() && partitions.stream().allMatch(PartitionReport::complete);
    }

    public void print(PrintWriter out) {
        out.printf("Archive of %s at %s (consumer group %s)%n", topic, location, group);
        for (PartitionReport report : partitions) {
            out.printf(Locale.ROOT, "partition %d: %,d records in %,d objects; committed offset %s; earliest retained %,d%n",
                    report.partition(), report.records(), report.objects(),
                    report.committed().isPresent() ? String.format(Locale.ROOT, "%,d", report.committed().getAsLong()) : "none",
                    report.earliestRetained());
            out.printf("  covered: %s%n", report.covered().isEmpty() ? "nothing"
                    : report.covered().stream().limit(10).map(OffsetRange::toString).collect(Collectors.joining(", "))
                    + (report.covered().size() > 10 ? " and " + (report.covered().size() - 10) + " more" : ""));
            out.printf("  gaps: %s%n", report.gaps().isEmpty() ? "none" : String.join("; ", report.gaps().subList(0, Math.min(10, report.gaps().size())))
                    + (report.gaps().size() > 10 ? " and " + (report.gaps().size() - 10) + " more" : ""));
            out.printf("  duplicates: %s%n", report.duplicates().isEmpty() ? "none" : report.duplicates().size() + " offsets, first "
                    + report.duplicates().stream().limit(10).map(String::valueOf).collect(Collectors.joining(", ")));
            if (report.pending() > 0) {
                out.printf(Locale.ROOT, "  pending: %,d committed records from offset %,d on are still buffered by the archive (not yet in S3)%n",
                        report.pending(), report.completeBelow());
            }
        }
        if (!exactlyOnce()) {
            out.println("FAILED: the archive has gaps or duplicates.");
        } else if (complete()) {
            out.println("OK: every record from the earliest retained offset to the committed offset is in S3 exactly once.");
        } else {
            out.println("OK so far: no gaps and no duplicates; some committed records are still buffered (run again once the topic is idle"
                    + " for the archive's idle flush time), or the archive has committed nothing yet.");
        }
        out.flush();
    }
}
