package dev.onepipe.reconciliation;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.OnepipeConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

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
            "3. With --dataset, when the clean table exists: the raw side's merged state",
            "   (the dataset's history: the raw archive below the topic's log start",
            "   offsets, then the topic; merged per unique key by the dataset's merge",
            "   strategy) against the clean table, per event-time day, declared checks",
            "   included. History below the log start that the archive lost is named.",
            "A key changed by input the clean table does not cover yet (data arriving",
            "during the pass) is NOT YET ARCHIVED, not a difference.",
            "For comparison 1 run continuously, with verdicts to the dataset",
            "onepipe-reconciliation: onepipe run reconciliation --dataset <name>.",
            "",
            "Exit codes: 0 every bucket OK (or NOT YET ARCHIVED); 3 some bucket MISSING,",
            "EXTRA or DIFFERENT, or history below the log start lost from the archive;",
            "4 with --require-archived, some bucket NOT YET ARCHIVED",
            "and none different; 1 failure; 2 configuration or usage error."})
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
            description = "First record time compared (inclusive): 2026-11-22T07:00:00Z, 2026-11-22T08:00+01:00, 2026-11-22T07:00 (UTC) or 2026-11-22.")
    Instant from;

    @Option(names = "--to", paramLabel = "<time>", converter = TimeConverter.class,
            description = "Record time at which to stop (exclusive), same forms as --from.")
    Instant to;

    @Option(names = "--limit", paramLabel = "<n>", defaultValue = "20",
            description = "Offsets or keys listed per kind of difference and bucket, at least 1; the rest are counted (default: ${DEFAULT-VALUE}).")
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
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, not " + limit);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ParameterException(spec.commandLine(), "--from (" + from + ") must be before --to (" + to + "): --to is exclusive");
        }
        OnepipeConfig config = options.config(Map.of());
        PrintWriter out = spec.commandLine().getOut();
        DatasetReconciliation.Result result = DatasetReconciliation.run(config, new DatasetReconciliation.Request(Optional.ofNullable(target.dataset),
                Optional.ofNullable(target.topic), Optional.ofNullable(from), Optional.ofNullable(to), limit, all), out, System.err);
        return result.different() ? DIFFERENCES : requireArchived && result.pending() ? NOT_YET_ARCHIVED : 0;
    }

    /**
     * Reads ISO-8601: {@code 2026-11-22T07:00:00Z}, with an offset ({@code 2026-11-22T08:00+01:00}), without one (UTC:
     * {@code 2026-11-22T07:00}) or a date (midnight UTC: {@code 2026-11-22}).
     */
    static final class TimeConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String text) {
            try {
                if (!text.contains("T")) {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                try {
                    return OffsetDateTime.parse(text).toInstant();
                } catch (DateTimeParseException noOffset) {
                    return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
                }
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("not a time: '" + text
                        + "' (use 2026-11-22T07:00:00Z, 2026-11-22T08:00+01:00, 2026-11-22T07:00 in UTC, or 2026-11-22)");
            }
        }
    }
}
