package dev.onepipe.dedup.topology;

import java.time.Duration;
import java.util.List;

import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;

/**
 * The dedup topology's settings ({@code onepipe.dedup.*}), read once from the layered configuration. The horizon after
 * which a key is forgotten is not here: it is the dataset's own {@code dedupHorizon} (dataset metadata).
 *
 * @param provision           whether the topology creates the clean and conflicts topics and registers the clean
 *                            dataset when it starts
 * @param expiryInterval      how often, in stream time, keys past the horizon are forgotten
 * @param tableEnabled        whether merged rows are handed to the clean table (when a table implementation is wired)
 * @param tableFactory        the class name of the {@code CleanTableFactory} to use; empty to find one with
 *                            {@link java.util.ServiceLoader}
 * @param tableCommitInterval how often, in wall-clock time, each task commits its changed rows to the clean table
 */
public record DedupSettings(boolean provision, Duration expiryInterval, boolean tableEnabled, String tableFactory,
                            Duration tableCommitInterval) {

    public static final String PREFIX = "onepipe.dedup.";
    public static final String PROVISION = PREFIX + "provision";
    public static final String EXPIRY_INTERVAL_MS = PREFIX + "expiry.interval.ms";
    public static final String TABLE_ENABLED = PREFIX + "table.enabled";
    public static final String TABLE_FACTORY = PREFIX + "table.factory";
    public static final String TABLE_COMMIT_INTERVAL_MS = PREFIX + "table.commit.interval.ms";

    public static List<TopologySetting> settings() {
        return List.of(
                TopologySetting.of(PROVISION, true,
                        "Create <dataset>-clean (compacted) and <dataset>-clean-conflicts and register the dataset <dataset>-clean at start."),
                TopologySetting.of(EXPIRY_INTERVAL_MS, 60_000,
                        "How often, in stream time, keys whose event time is more than the dataset's dedupHorizon behind are forgotten."),
                TopologySetting.of(TABLE_ENABLED, true, "Hand every changed merged state to the clean table (when a table implementation is on the class path)."),
                TopologySetting.of(TABLE_FACTORY, "",
                        "Class name of the dev.onepipe.dedup.table.CleanTableFactory to use; empty: the first one ServiceLoader finds."),
                TopologySetting.of(TABLE_COMMIT_INTERVAL_MS, 60_000, "How often (wall clock) each task commits the rows changed since its last commit to the clean table."));
    }

    /**
     * @throws IllegalArgumentException when a duration is not a positive number of milliseconds
     */
    public static DedupSettings from(OnepipeConfig config) {
        return new DedupSettings(config.getBoolean(PROVISION, true), positive(config, EXPIRY_INTERVAL_MS, 60_000),
                config.getBoolean(TABLE_ENABLED, true), config.get(TABLE_FACTORY, "").trim(),
                positive(config, TABLE_COMMIT_INTERVAL_MS, 60_000));
    }

    private static Duration positive(OnepipeConfig config, String key, long defaultMillis) {
        long millis = config.getLong(key, defaultMillis);
        if (millis <= 0) {
            throw new IllegalArgumentException("Setting '" + key + "' must be a positive number of milliseconds, but is " + millis);
        }
        return Duration.ofMillis(millis);
    }
}
