package dev.onepipe.reconciliation;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code onepipe reconcile}: one pass over a dataset's topic and its raw archive, a table of buckets (partition,
 * record-time hour) with a verdict each, and the offsets bisection found for every bucket that differs.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare every system that holds a dataset, bucket by bucket: the topic (its retained range) against",
            "the raw archive in S3, per partition and record-time hour: record count, first/last offset and the sum of a",
            "64-bit hash of every record. A bucket that differs is narrowed by bisection to the offsets missing from,",
            "extra in or different in the archive.",
            "",
            "Exit codes: 0 every bucket OK (or NOT YET ARCHIVED); 3 some bucket MISSING, EXTRA or DIFFERENT;",
            "4 with --require-archived, some bucket NOT YET ARCHIVED and none different; 1 failure; 2 configuration error."})
final class ReconcileCommand implements Callable<Integer> {

    static final int DIFFERENCES = 3;
    static final int NOT_YET_ARCHIVED = 4;

    /** The dataset (or raw topic) to reconcile. */
    static final class Target {
        @Option(names = "--dataset", paramLabel = "<name>", description = "Registered dataset to reconcile.")
        String dataset;

        @Option(names = "--topic", paramLabel = "<topic>", description = "Any topic with a raw archive, registered or not.")
        String topic;
    }

    @ArgGroup(multiplicity = "1")
    Target target;

    @Option(names = "--from", paramLabel = "<time>", converter = TimeConverter.class,
            description = "First record time compared (inclusive): 2026-11-22T07:00:00Z, 2026-11-22T07:00 (UTC) or 2026-11-22.")
    Instant from;

    @Option(names = "--to", paramLabel = "<time>", converter = TimeConverter.class,
            description = "Record time at which to stop (exclusive), same forms as --from.")
    Instant to;

    @Option(names = "--limit", paramLabel = "<n>", defaultValue = "20",
            description = "Offsets listed per kind of difference and bucket; the rest are counted (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--all", description = "List every bucket, not only the ones that are not OK.")
    boolean all;

    @Option(names = "--require-archived", description = "Exit with code 4 when some bucket is NOT YET ARCHIVED.")
    boolean requireArchived;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OnepipeConfig config = options.config(Map.of());
        String topic = target.topic != null ? target.topic
                : RegisteredDatasets.require(RegisteredDatasets.load(config), target.dataset).topic();
        S3Settings s3Settings = ReconciliationClients.s3(config);
        PrintWriter out = spec.commandLine().getOut();
        RawRecords topicRecords = new RawRecords(Optional.ofNullable(from), Optional.ofNullable(to));
        RawRecords archiveRecords = new RawRecords(Optional.ofNullable(from), Optional.ofNullable(to));
        TopicReader.Range range = TopicReader.read(ReconciliationClients.kafkaConfig(config), topic, topicRecords, System.err);
        RawArchiveReader archive;
        Map<Integer, Long> completeBelow;
        try (S3Client s3 = S3ClientFactory.create(s3Settings)) {
            archive = new RawArchiveReader(s3, s3Settings.bucket(),
                    config.get(ReconciliationClients.ARCHIVE_PREFIX, ReconciliationClients.DEFAULT_ARCHIVE_PREFIX));
            completeBelow = archive.read(topic, archiveRecords, System.err);
        }
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(topicRecords.buckets(), archiveRecords.buckets(), range.start(),
                completeBelow, limit);
        out.printf("topic %s <-> raw archive s3://%s/%s%n", topic, s3Settings.bucket(), archive.topicPrefix(topic));
        print(out, verdicts, all);
        out.println("clean topic <-> clean table: not compared by this version (topic <-> raw archive only).");
        out.flush();
        boolean different = verdicts.stream().anyMatch(verdict -> verdict.status().isDifference());
        boolean pending = verdicts.stream().anyMatch(verdict -> verdict.status() == BucketStatus.NOT_YET_ARCHIVED);
        return different ? DIFFERENCES : requireArchived && pending ? NOT_YET_ARCHIVED : 0;
    }

    /** The table: one line per bucket (only the ones not OK unless {@code all}), then a count per status. */
    static void print(PrintWriter out, List<RawBucketVerdict> verdicts, boolean all) {
        String format = "  %-9s  %-14s  %-16s  %14s  %14s  %-25s  %s%n";
        out.printf(format, "partition", "hour (UTC)", "status", "topic records", "archive records", "offsets", "detail");
        Map<BucketStatus, Integer> counts = new EnumMap<>(BucketStatus.class);
        for (RawBucketVerdict verdict : verdicts) {
            counts.merge(verdict.status(), 1, Integer::sum);
            if (all || verdict.status() != BucketStatus.OK) {
                Fingerprint both = verdict.topic().combine(verdict.archive());
                out.printf(format, verdict.bucket().partition(), verdict.bucket().start().toString().substring(0, 13) + "h",
                        verdict.status().label(), String.format(Locale.ROOT, "%,d", verdict.topic().count()),
                        String.format(Locale.ROOT, "%,d", verdict.archive().count()),
                        both.isEmpty() ? "" : both.firstOffset() + ".." + both.lastOffset(), verdict.detail());
            }
        }
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT, "  %,d buckets:", verdicts.size()));
        counts.forEach((status, count) -> summary.append(String.format(Locale.ROOT, " %,d %s,", count, status.label())));
        out.println(summary.substring(0, summary.length() - (counts.isEmpty() ? 0 : 1)));
    }

    /** Reads {@code 2026-11-22T07:00:00Z}, {@code 2026-11-22T07:00} (UTC) or {@code 2026-11-22} (midnight UTC). */
    static final class TimeConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String text) {
            try {
                if (text.endsWith("Z")) {
                    return Instant.parse(text);
                }
                if (text.contains("T")) {
                    return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
                }
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("Not a time: '" + text + "' (use 2026-11-22T07:00:00Z, 2026-11-22T07:00 or 2026-11-22)");
            }
        }
    }
}
