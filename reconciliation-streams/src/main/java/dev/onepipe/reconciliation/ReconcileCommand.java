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
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import org.apache.iceberg.Table;
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
        description = {"Compare every system that holds a dataset, bucket by bucket.",
            "1. The topic (its retained range) against the raw archive in S3, per partition",
            "   and record-time hour: record count, first/last offset, sum of a 64-bit hash",
            "   of every record. A bucket that differs is narrowed by bisection to the",
            "   offsets missing from, extra in or different in the archive.",
            "2. With --dataset: the clean topic <dataset>-clean against the clean Iceberg",
            "   table clean.<dataset>, per event-time day: rows, distinct unique keys, hash",
            "   sums of keys and rows, every check the dataset's metadata declares;",
            "   bisection names the unique keys that differ.",
            "",
            "Exit codes: 0 every bucket OK (or NOT YET ARCHIVED); 3 some bucket MISSING,",
            "EXTRA or DIFFERENT; 4 with --require-archived, some bucket NOT YET ARCHIVED",
            "and none different; 1 failure; 2 configuration error."})
final class ReconcileCommand implements Callable<Integer> {

    static final int DIFFERENCES = 3;
    /** The clean topic of a dataset is {@code <dataset>-clean} (dedup-streams/README.md, "Clean topic"). */
    static final String CLEAN_TOPIC_SUFFIX = "-clean";
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
        MetadataCatalog catalog = target.dataset == null ? null : RegisteredDatasets.load(config);
        DatasetMetadata metadata = catalog == null ? null : RegisteredDatasets.require(catalog, target.dataset);
        String topic = target.topic != null ? target.topic : metadata.topic();
        S3Settings s3Settings = ReconciliationClients.s3(config);
        PrintWriter out = spec.commandLine().getOut();
        RawArchiveReader archive;
        TopicArchiveComparison raw;
        try (S3Client s3 = S3ClientFactory.create(s3Settings)) {
            archive = new RawArchiveReader(s3, s3Settings.bucket(),
                    config.get(ReconciliationClients.ARCHIVE_PREFIX, ReconciliationClients.DEFAULT_ARCHIVE_PREFIX));
            raw = TopicArchiveComparison.run(ReconciliationClients.kafkaConfig(config), topic, archive, Optional.ofNullable(from),
                    Optional.ofNullable(to), limit, System.err);
        }
        List<RawBucketVerdict> verdicts = raw.verdicts();
        TopicReader.Range range = raw.range();
        out.printf("topic %s <-> raw archive s3://%s/%s (%,d objects)%n", topic, s3Settings.bucket(), archive.topicPrefix(topic),
                raw.archiveObjects());
        print(out, verdicts, all);
        List<CleanBucketVerdict> cleanVerdicts = metadata == null ? List.of() : reconcileClean(out, config, s3Settings, catalog, metadata, range);
        out.flush();
        boolean different = verdicts.stream().anyMatch(verdict -> verdict.status().isDifference())
                || cleanVerdicts.stream().anyMatch(verdict -> verdict.status().isDifference());
        boolean pending = verdicts.stream().anyMatch(verdict -> verdict.status() == BucketStatus.NOT_YET_ARCHIVED)
                || cleanVerdicts.stream().anyMatch(verdict -> verdict.status() == BucketStatus.NOT_YET_ARCHIVED);
        return different ? DIFFERENCES : requireArchived && pending ? NOT_YET_ARCHIVED : 0;
    }

    /**
     * The clean side: the clean topic {@code <dataset>-clean} against the clean table {@code clean.<dataset>}, per
     * event-time day; printed, and returned. Nothing when the dataset has neither (no dedup runs for it).
     */
    private List<CleanBucketVerdict> reconcileClean(PrintWriter out, OnepipeConfig config, S3Settings s3Settings, MetadataCatalog catalog,
                                                    DatasetMetadata metadata, TopicReader.Range range) {
        String cleanTopic = metadata.name() + CLEAN_TOPIC_SUFFIX;
        Map<String, Object> kafka = ReconciliationClients.kafkaConfig(config);
        SchemaVersion schema = catalog.latestSchemaForDataset(metadata.name()).orElseThrow(() -> new IllegalStateException(
                "Dataset '" + metadata.name() + "' has no registered schema"));
        CleanRows topicRows = new CleanRows(metadata, schema.schema());
        CleanRows tableRows = new CleanRows(metadata, schema.schema());
        boolean topicExists = CleanTopicReader.exists(kafka, cleanTopic);
        String tableName = CleanTableReader.CATALOG_NAME + "." + CleanTableReader.NAMESPACE + "." + metadata.name();
        CleanTableReader tables = null;
        Optional<Table> table;
        try {
            tables = new CleanTableReader(CleanTableReader.catalogProperties(config, s3Settings));
            table = tables.load(metadata.name());
        } catch (RuntimeException e) {
            closeQuietly(tables);
            if (topicExists) {
                throw new IllegalStateException("The clean topic " + cleanTopic + " exists but the catalog of " + tableName
                        + " cannot be opened (set onepipe.dedup.catalog.* as dedup has them): " + e.getMessage(), e);
            }
            out.printf("clean topic %s <-> clean table %s: no clean topic, and no catalog to open (%s): not compared%n", cleanTopic, tableName,
                    e.getMessage());
            return List.of();
        }
        Map<Integer, Long> covered;
        try (CleanTableReader opened = tables) {
            if (!topicExists && table.isEmpty()) {
                out.printf("clean topic %s <-> clean table %s: neither exists (no dedup for this dataset), not compared%n", cleanTopic, tableName);
                return List.of();
            }
            if (topicExists) {
                CleanTopicReader.read(kafka, cleanTopic, catalog, schema.id(), topicRows);
            }
            table.ifPresent(loaded -> CleanTableReader.read(loaded, tableRows));
            covered = table.map(CleanTableReader::coveredOffsets).orElse(Map.of());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot close the Iceberg catalog", e);
        }
        boolean caughtUp = range.end().entrySet().stream().allMatch(end -> covered.getOrDefault(end.getKey(), 0L) >= end.getValue());
        List<CleanBucketVerdict> verdicts = CleanReconciliation.compare(topicRows, tableRows, caughtUp, limit).stream()
                .filter(verdict -> verdict.day() == CleanRows.ALL_DAYS || within(verdict.day())).toList();
        out.printf("clean topic %s <-> clean table %s%s%n", cleanTopic, tableName, caughtUp ? "" : " (the table has not caught up with the topic: differences count as NOT YET ARCHIVED)");
        printClean(out, verdicts, all);
        return verdicts;
    }

    private static void closeQuietly(CleanTableReader tables) {
        if (tables != null) {
            try {
                tables.close();
            } catch (java.io.IOException | RuntimeException e) {
                // Already failing for a better reason.
            }
        }
    }

    /** Whether any of the event-time day lies in [--from, --to). */
    private boolean within(long day) {
        Instant start = Instant.ofEpochSecond(day * 86_400);
        Instant end = start.plusSeconds(86_400);
        return (from == null || end.isAfter(from)) && (to == null || start.isBefore(to));
    }

    static void printClean(PrintWriter out, List<CleanBucketVerdict> verdicts, boolean all) {
        String format = "  %-10s  %-16s  %12s  %12s  %s%n";
        out.printf(format, "day (UTC)", "status", "topic keys", "table rows", "detail");
        Map<BucketStatus, Integer> counts = new EnumMap<>(BucketStatus.class);
        for (CleanBucketVerdict verdict : verdicts) {
            counts.merge(verdict.status(), 1, Integer::sum);
            if (all || verdict.status() != BucketStatus.OK) {
                out.printf(format, CleanRows.dayLabel(verdict.day()), verdict.status().label(),
                        String.format(Locale.ROOT, "%,d", verdict.topic().rows()), String.format(Locale.ROOT, "%,d", verdict.table().rows()),
                        verdict.detail());
            }
        }
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT, "  %,d days:", verdicts.size()));
        counts.forEach((status, count) -> summary.append(String.format(Locale.ROOT, " %,d %s,", count, status.label())));
        out.println(summary.substring(0, summary.length() - (counts.isEmpty() ? 0 : 1)));
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
