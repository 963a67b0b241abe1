package dev.onepipe.reconciliation;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One reconciliation pass over a dataset (or a raw topic), printed as the tables {@code onepipe reconcile} prints: the
 * topic against its raw archive per (partition, record-time hour), then, for a dataset with a clean topic or clean
 * table, the clean topic against the clean table per event-time day. The public entry point for other modules
 * (e.g. {@code onepipe demo}); {@code onepipe reconcile} is this plus exit codes.
 */
public final class DatasetReconciliation {

    /** The clean topic of a dataset is {@code <dataset>-clean} (dedup-streams/README.md, "Clean topic"). */
    static final String CLEAN_TOPIC_SUFFIX = "-clean";

    /**
     * What to compare and print.
     *
     * @param dataset a registered dataset (both pairs of systems), or empty with {@code topic}
     * @param topic   a raw topic (topic ↔ raw archive only), used when {@code dataset} is empty
     * @param from    first record time compared (inclusive), empty for none
     * @param to      record time at which to stop (exclusive), empty for none
     * @param limit   offsets or keys listed per kind of difference and bucket
     * @param all     list every bucket, not only those that are not OK
     */
    public record Request(Optional<String> dataset, Optional<String> topic, Optional<Instant> from, Optional<Instant> to, int limit, boolean all) {

        /** Every bucket of a registered dataset, differences listed up to 20 per kind. */
        public static Request dataset(String name) {
            return new Request(Optional.of(name), Optional.empty(), Optional.empty(), Optional.empty(), 20, false);
        }
    }

    /**
     * The verdicts of one pass.
     *
     * @param raw   topic ↔ raw archive, one per (partition, hour)
     * @param clean     clean topic ↔ clean table, one per event-time day (empty when not compared)
     * @param rawMerged the dataset's merged history ({@link RawMergedState}) ↔ clean table, one per event-time day,
     *                  declared checks included (empty when not compared)
     * @param historyLost the raw archive lacks records below the topic's log start offsets that its own chain or
     *                    watermark says existed ({@link RawMergedState.Result#lost()}): records now in neither system
     */
    public record Result(List<RawBucketVerdict> raw, List<CleanBucketVerdict> clean, List<CleanBucketVerdict> rawMerged, boolean historyLost) {

        /** True when some bucket is MISSING, EXTRA or DIFFERENT, or the raw archive lost history the topic no longer has. */
        public boolean different() {
            return historyLost || raw.stream().anyMatch(verdict -> verdict.status().isDifference())
                    || Stream.concat(clean.stream(), rawMerged.stream()).anyMatch(verdict -> verdict.status().isDifference());
        }

        /** True when some bucket is NOT YET ARCHIVED. */
        public boolean pending() {
            return raw.stream().anyMatch(verdict -> verdict.status() == BucketStatus.NOT_YET_ARCHIVED)
                    || Stream.concat(clean.stream(), rawMerged.stream()).anyMatch(verdict -> verdict.status() == BucketStatus.NOT_YET_ARCHIVED);
        }
    }

    /** The two comparisons against the clean table, and whether the raw merged state found history lost. */
    private record CleanVerdicts(List<CleanBucketVerdict> cleanTopic, List<CleanBucketVerdict> rawMerged, boolean historyLost) {
        static final CleanVerdicts NONE = new CleanVerdicts(List.of(), List.of(), false);
    }

    private DatasetReconciliation() {
    }

    /**
     * Runs one pass and prints its tables to {@code out}.
     *
     * @param config   onepipe's configuration: Kafka, {@code onepipe.s3.*}, {@code onepipe.archive.s3.prefix},
     *                 {@code onepipe.dedup.catalog.*} and {@code onepipe.state.root} as the archive and dedup have them
     * @param progress where progress lines go while the topic is read, null for none
     * @throws dev.onepipe.core.config.MissingConfigurationException when no S3 bucket is configured
     * @throws IllegalArgumentException when the dataset is not registered or the topic does not exist
     * @throws IllegalStateException    when a system cannot be read
     */
    public static Result run(OnepipeConfig config, Request request, PrintWriter out, PrintStream progress) {
        MetadataCatalog catalog = request.dataset().isEmpty() ? null : RegisteredDatasets.load(config);
        DatasetMetadata metadata = catalog == null ? null : RegisteredDatasets.require(catalog, request.dataset().get());
        String topic = metadata != null ? metadata.topic() : request.topic().orElseThrow(() -> new IllegalArgumentException("Name a dataset or a topic"));
        S3Settings s3Settings = ReconciliationClients.s3(config);
        try (S3Client s3 = S3ClientFactory.create(s3Settings)) {
            RawArchiveReader archive = new RawArchiveReader(s3, s3Settings.bucket(),
                    config.get(ReconciliationClients.ARCHIVE_PREFIX, ReconciliationClients.DEFAULT_ARCHIVE_PREFIX));
            List<RawBucketVerdict> rawVerdicts;
            if (metadata != null && !metadata.archive().enabled()) {
                out.printf("topic %s <-> raw archive: the dataset's metadata disables its archive (archive.enabled false), not compared%n", topic);
                rawVerdicts = List.of();
            } else {
                TopicArchiveComparison raw = TopicArchiveComparison.run(ReconciliationClients.kafkaConfig(config), topic, archive, request.from(),
                        request.to(), request.limit(), progress);
                out.printf("topic %s <-> raw archive s3://%s/%s (%,d objects)%n", topic, s3Settings.bucket(), archive.topicPrefix(topic),
                        raw.archiveObjects());
                if (raw.archiveObjects() == 0 && !raw.verdicts().isEmpty()) {
                    out.printf("  no archive object under that prefix: is onepipe.archive.s3.prefix the archive's, and does onepipe run archive"
                            + " run for %s?%n", topic);
                }
                print(out, raw.verdicts(), request.all());
                rawVerdicts = raw.verdicts();
            }
            CleanVerdicts clean = metadata == null ? CleanVerdicts.NONE
                    : reconcileClean(out, config, s3Settings, catalog, metadata, archive, request);
            out.flush();
            return new Result(rawVerdicts, clean.cleanTopic(), clean.rawMerged(), clean.historyLost());
        } catch (SdkException e) {
            // the SDK's message alone ("The specified bucket does not exist") names neither the system nor the bucket
            throw new IllegalStateException("Cannot read S3 bucket " + s3Settings.bucket() + s3Settings.endpoint().map(endpoint -> " at " + endpoint)
                    .orElse("") + ": " + e.getMessage(), e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + config.bootstrapServers() + " did not answer about topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * The clean side: the clean topic {@code <dataset>-clean} against the clean table {@code clean.<dataset>}, then the
     * raw side's merged state against the table, per event-time day; printed, and returned. Nothing when the dataset has
     * neither a clean topic nor a clean table (no dedup runs for it).
     *
     * <p>The systems are read in the order dedup writes them, backwards: the table's snapshot first (it covers input
     * offsets {@code onepipe.offset.<p>}), then the clean topic (which by then reflects at least that input: dedup writes
     * it before it hands rows to the table), then the dataset topic to its end. A key whose last input record is at or
     * above the table's offset of its partition is in flight (data arriving during the pass): its difference is NOT
     * YET ARCHIVED; every other key's difference counts.
     *
     * @throws IllegalStateException when the clean topic exists but the catalog cannot be opened or has no clean table
     */
    private static CleanVerdicts reconcileClean(PrintWriter out, OnepipeConfig config, S3Settings s3Settings, MetadataCatalog catalog,
                                                DatasetMetadata metadata, RawArchiveReader archive, Request request) {
        String cleanTopic = CleanTopicReader.cleanDatasetOf(metadata.name());
        Map<String, Object> kafka = ReconciliationClients.kafkaConfig(config);
        SchemaVersion schema = catalog.latestSchemaForDataset(metadata.name()).orElseThrow(() -> new IllegalStateException(
                "Dataset '" + metadata.name() + "' has no registered schema"));
        CleanRows topicRows = new CleanRows(metadata, schema.schema());
        CleanRows tableRows = new CleanRows(metadata, schema.schema());
        boolean topicExists = CleanTopicReader.exists(kafka, cleanTopic);
        String tableName = CleanTableReader.CATALOG_NAME + "." + CleanTableReader.NAMESPACE + "." + metadata.name();
        Map<String, String> catalogProperties = CleanTableReader.catalogProperties(config, s3Settings);
        String catalogUri = catalogProperties.getOrDefault(CatalogProperties.URI, "?");
        String howToFind = "set onepipe.dedup.catalog.* (or onepipe.state.root) as dedup has them, or compare the raw pair only with --topic "
                + metadata.topic();
        if (!CleanTableReader.catalogExists(catalogProperties)) {
            if (topicExists) {
                throw new IllegalStateException("The clean topic " + cleanTopic + " exists but the catalog " + catalogUri
                        + " of the clean table " + tableName + " does not: " + howToFind);
            }
            out.printf("clean topic %s <-> clean table %s: neither exists (no dedup for this dataset), not compared%n", cleanTopic, tableName);
            return CleanVerdicts.NONE;
        }
        CleanTableReader tables = null;
        Optional<Table> table;
        try {
            tables = new CleanTableReader(catalogProperties);
            table = tables.load(metadata.name());
        } catch (RuntimeException e) {
            closeQuietly(tables);
            if (topicExists) {
                throw new IllegalStateException("The clean topic " + cleanTopic + " exists but the catalog of " + tableName
                        + " cannot be opened (" + howToFind + "): " + e.getMessage(), e);
            }
            out.printf("clean topic %s <-> clean table %s: no clean topic, and no catalog to open (%s): not compared%n", cleanTopic, tableName,
                    e.getMessage());
            return CleanVerdicts.NONE;
        }
        Map<Integer, Long> covered;
        try (CleanTableReader opened = tables) {
            if (table.isEmpty()) {
                if (topicExists) {
                    throw new IllegalStateException("The clean topic " + cleanTopic + " exists but the catalog " + catalogUri + " has no table "
                            + tableName + " (dedup writes it with onepipe.dedup.table.enabled=true): " + howToFind);
                }
                out.printf("clean topic %s <-> clean table %s: neither exists (no dedup for this dataset), not compared%n", cleanTopic, tableName);
                return CleanVerdicts.NONE;
            }
            covered = CleanTableReader.coveredOffsets(table.get());
            CleanTableReader.read(table.get(), tableRows);
            if (topicExists) {
                CleanTopicReader.read(kafka, catalog, metadata.name(), topicRows);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close the Iceberg catalog", e);
        }
        RawMergedState.Result merged = RawMergedState.read(kafka, metadata, catalog, schema, archive);
        Predicate<String> inFlight = merged.inFlight(covered);
        List<CleanBucketVerdict> verdicts = CleanReconciliation.compare(topicRows, tableRows, inFlight, request.limit()).stream()
                .filter(verdict -> verdict.day() == CleanRows.ALL_DAYS || within(verdict.day(), request)).toList();
        out.printf("clean topic %s <-> clean table %s%s (the table covers input offsets below %s)%n", cleanTopic, tableName,
                topicExists ? "" : ": no clean topic, every row of the table counts as extra", new TreeMap<>(covered));
        printClean(out, verdicts, request.all());
        return new CleanVerdicts(verdicts, reconcileRawMerged(out, merged, metadata, tableRows, inFlight, tableName, request), merged.lost());
    }

    /**
     * The raw side's merged state ({@link RawMergedState}: the dataset's history, raw archive below the topic's log
     * start offsets then the topic, merged by the dataset's strategy) against the clean table, per event-time day:
     * rows, keys, hash sums and every declared check. History that neither system holds is printed as a note above
     * the table, so a difference it causes is not mistaken for a fault of the clean table.
     */
    private static List<CleanBucketVerdict> reconcileRawMerged(PrintWriter out, RawMergedState.Result merged, DatasetMetadata metadata,
                                                               CleanRows tableRows, Predicate<String> inFlight, String tableName, Request request) {
        List<CleanBucketVerdict> verdicts = CleanReconciliation.compare(merged.rows(), tableRows, inFlight, request.limit()).stream()
                .filter(verdict -> verdict.day() == CleanRows.ALL_DAYS || within(verdict.day(), request)).toList();
        out.printf(Locale.ROOT, "raw merged state of topic %s (%s; %,d records%s, %,d unreadable skipped, %,d keys) <-> clean table %s: declared checks %s%n",
                metadata.topic(), metadata.merge().kind(), merged.records(),
                merged.archived() == 0 ? "" : String.format(Locale.ROOT, ", %,d of them from the raw archive below the log start offsets", merged.archived()),
                merged.skipped(), merged.keys(), tableName, metadata.reconciliation().stream().map(check -> check.name()).toList());
        merged.gaps().forEach(gap -> out.printf("  history not in the raw merged state: %s%n", gap));
        printClean(out, verdicts, request.all());
        return verdicts;
    }

    private static void closeQuietly(CleanTableReader tables) {
        if (tables != null) {
            try {
                tables.close();
            } catch (IOException | RuntimeException e) {
                // Already failing for a better reason.
            }
        }
    }

    /** Whether any of the event-time day lies in [from, to). */
    private static boolean within(long day, Request request) {
        Instant start = Instant.ofEpochSecond(day * 86_400);
        Instant end = start.plusSeconds(86_400);
        return request.from().map(end::isAfter).orElse(true) && request.to().map(start::isBefore).orElse(true);
    }

    /** The clean table: one line per day (only the ones not OK unless {@code all}), then a count per status. */
    public static void printClean(PrintWriter out, List<CleanBucketVerdict> verdicts, boolean all) {
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

    /** The raw table: one line per bucket (only the ones not OK unless {@code all}), then a count per status. */
    public static void print(PrintWriter out, List<RawBucketVerdict> verdicts, boolean all) {
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
}
