package dev.onepipe.reconciliation;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.s3.S3Settings;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The settings of {@code onepipe run reconciliation}, read once when the topology is built.
 *
 * @param s3                   the raw archive's bucket and endpoint ({@code onepipe.s3.*})
 * @param archivePrefix        the raw archive's key prefix ({@code onepipe.archive.s3.prefix}, the archive's own setting)
 * @param checkInterval        wall-clock time between two checks (S3 listing, comparisons, consumer groups)
 * @param maxObjectsPerCheck   new archive objects fetched per partition and check; the rest wait for the next check
 * @param maxBisectionsPerCheck differing buckets narrowed by bisection per partition and check
 * @param offsetsLimit         offsets listed per kind of difference in a verdict; the rest are counted
 * @param groupWindow          samples of committed offsets kept per consumer group partition (Burrow's window)
 * @param provision            whether to register the verdicts' dataset and create its topic at start
 */
public record ReconciliationSettings(S3Settings s3, String archivePrefix, Duration checkInterval, int maxObjectsPerCheck,
                                     int maxBisectionsPerCheck, int offsetsLimit, int groupWindow, boolean provision) {

    public static final String CHECK_INTERVAL_MS = "onepipe.reconciliation.check.interval.ms";
    public static final String MAX_OBJECTS_PER_CHECK = "onepipe.reconciliation.max.objects.per.check";
    public static final String MAX_BISECTIONS_PER_CHECK = "onepipe.reconciliation.max.bisections.per.check";
    public static final String OFFSETS_LIMIT = "onepipe.reconciliation.offsets.limit";
    public static final String GROUP_WINDOW = "onepipe.reconciliation.group.window";
    public static final String PROVISION = "onepipe.reconciliation.provision";

    /** Every reconciliation setting: type, default, valid values and documentation, declared once. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(ReconciliationClients.ARCHIVE_PREFIX, Type.STRING, ReconciliationClients.DEFAULT_ARCHIVE_PREFIX, Importance.MEDIUM,
                    "The raw archive's key prefix, as the archive topology has it.")
            .define(CHECK_INTERVAL_MS, Type.LONG, 30_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Wall-clock ms between checks: list the archive, compare closed buckets, sample consumer groups.")
            .define(MAX_OBJECTS_PER_CHECK, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
                    "New or changed (another ETag or size) archive objects fetched per partition and check (bounds one check's S3 cost).")
            .define(MAX_BISECTIONS_PER_CHECK, Type.INT, 4, Range.atLeast(1), Importance.MEDIUM,
                    "Differing buckets narrowed by bisection per partition and check (each re-reads the bucket's offsets; a bucket"
                            + " whose fingerprints are those of its last bisection keeps that verdict without one). At least 1: a"
                            + " differing bucket is never left without a verdict.")
            .define(OFFSETS_LIMIT, Type.INT, 20, Range.atLeast(0), Importance.LOW,
                    "Offsets listed per kind of difference in a verdict; the rest are counted.")
            .define(GROUP_WINDOW, Type.INT, 10, Range.atLeast(2), Importance.LOW,
                    "Checks of committed offsets kept per consumer group partition for Burrow's rules.")
            .define(PROVISION, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Register the dataset onepipe-reconciliation and create its compacted topic at start.");

    /** The settings {@code onepipe topologies} lists: the archive's bucket, then {@link #DEFINITION}. */
    public static final List<TopologySetting> SETTINGS = Stream.concat(
            Stream.of(TopologySetting.required(S3Settings.BUCKET,
                    "The raw archive's S3 bucket (with onepipe.s3.endpoint, access and secret key as the archive has them).")),
            TopologySetting.all(DEFINITION).stream()).toList();

    /**
     * @throws dev.onepipe.core.config.MissingConfigurationException when no S3 bucket is configured
     * @throws IllegalArgumentException when a setting is not of its type or out of its range, naming the setting
     */
    public static ReconciliationSettings from(OnepipeConfig config) {
        AbstractConfig values = TopologySetting.values(DEFINITION, config);
        return new ReconciliationSettings(ReconciliationClients.s3(config), values.getString(ReconciliationClients.ARCHIVE_PREFIX),
                Duration.ofMillis(values.getLong(CHECK_INTERVAL_MS)), values.getInt(MAX_OBJECTS_PER_CHECK),
                values.getInt(MAX_BISECTIONS_PER_CHECK), values.getInt(OFFSETS_LIMIT), values.getInt(GROUP_WINDOW),
                values.getBoolean(PROVISION));
    }
}
