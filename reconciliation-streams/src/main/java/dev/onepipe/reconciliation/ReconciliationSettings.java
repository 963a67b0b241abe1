package dev.onepipe.reconciliation;

import java.time.Duration;
import java.util.List;

import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.s3.S3Settings;

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

    /** The settings {@code onepipe topologies} lists. */
    public static final List<TopologySetting> SETTINGS = List.of(
            TopologySetting.required(S3Settings.BUCKET, "The raw archive's S3 bucket (with onepipe.s3.endpoint, access and secret key as the archive has them)."),
            TopologySetting.of(ReconciliationClients.ARCHIVE_PREFIX, ReconciliationClients.DEFAULT_ARCHIVE_PREFIX, "The raw archive's key prefix, as the archive topology has it."),
            TopologySetting.of(CHECK_INTERVAL_MS, 30_000, "Wall-clock ms between checks: list the archive, compare closed buckets, sample consumer groups."),
            TopologySetting.of(MAX_OBJECTS_PER_CHECK, 100, "New archive objects fetched per partition and check (bounds one check's S3 cost)."),
            TopologySetting.of(MAX_BISECTIONS_PER_CHECK, 4, "Differing buckets narrowed by bisection per partition and check (each re-reads the bucket's offsets)."),
            TopologySetting.of(OFFSETS_LIMIT, 20, "Offsets listed per kind of difference in a verdict; the rest are counted."),
            TopologySetting.of(GROUP_WINDOW, 10, "Checks of committed offsets kept per consumer group partition for Burrow's rules."),
            TopologySetting.of(PROVISION, true, "Register the dataset onepipe-reconciliation and create its compacted topic at start."));

    /**
     * @throws dev.onepipe.core.config.MissingConfigurationException when no S3 bucket is configured
     * @throws IllegalArgumentException when a number is not positive
     */
    public static ReconciliationSettings from(OnepipeConfig config) {
        ReconciliationSettings settings = new ReconciliationSettings(ReconciliationClients.s3(config),
                config.get(ReconciliationClients.ARCHIVE_PREFIX, ReconciliationClients.DEFAULT_ARCHIVE_PREFIX),
                Duration.ofMillis(config.getLong(CHECK_INTERVAL_MS, 30_000)), config.getInt(MAX_OBJECTS_PER_CHECK, 100),
                config.getInt(MAX_BISECTIONS_PER_CHECK, 4), config.getInt(OFFSETS_LIMIT, 20), config.getInt(GROUP_WINDOW, 10),
                config.getBoolean(PROVISION, true));
        if (settings.checkInterval.toMillis() <= 0 || settings.maxObjectsPerCheck <= 0 || settings.maxBisectionsPerCheck < 0
                || settings.offsetsLimit < 0 || settings.groupWindow < 2) {
            throw new IllegalArgumentException("onepipe.reconciliation.*: the check interval and objects per check must be positive, "
                    + "bisections and the offsets limit at least 0, the group window at least 2; got " + settings);
        }
        return settings;
    }
}
