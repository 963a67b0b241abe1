package dev.onepipe.dedup.topology;

import java.time.Duration;
import java.util.List;

import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

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
    /**
     * Kafka Streams' {@code max.task.idle.ms}, which dedup sets to -1 by default: each task reads its input partition
     * and the repartition topic of the records not keyed by unique key. With Kafka's default (0) a task checks the
     * empty repartition partition's fetched lag before every record and formats a trace text for it (16 % of the
     * stream thread's samples in {@code onepipe bench dedup}); waiting buys no order the merge relies on, since a key's
     * versions reach the merge through one of the two partitions.
     */
    public static final String MAX_TASK_IDLE_MS = StreamsConfig.MAX_TASK_IDLE_MS_CONFIG;

    /** Every dedup setting: type, default, valid values and documentation, declared once. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(PROVISION, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create <dataset>-clean (compacted) and <dataset>-clean-conflicts and register the dataset <dataset>-clean at start.")
            .define(EXPIRY_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                    "How often, in stream time, keys whose event time is more than the dataset's dedupHorizon behind are forgotten.")
            .define(TABLE_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Hand every changed merged state to the clean table (when a table implementation is on the class path).")
            .define(TABLE_FACTORY, Type.STRING, "", Importance.LOW,
                    "Class name of the dev.onepipe.dedup.table.CleanTableFactory to use; empty: the first one ServiceLoader finds.")
            .define(TABLE_COMMIT_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                    "How often (wall clock) each task commits the rows changed since its last commit to the clean table.")
            .define(MAX_TASK_IDLE_MS, Type.LONG, -1L, Range.atLeast(-1), Importance.LOW,
                    "Kafka Streams' max.task.idle.ms for dedup: -1 processes what is buffered without waiting for the empty "
                            + "repartition partition (Kafka's default 0 checks its lag before every record).");

    public static List<TopologySetting> settings() {
        return TopologySetting.all(DEFINITION);
    }

    /**
     * @throws IllegalArgumentException when a setting is not of its type or out of its range (a duration that is not a
     *                                  positive number of milliseconds), naming the setting
     */
    public static DedupSettings from(OnepipeConfig config) {
        AbstractConfig values = TopologySetting.values(DEFINITION, config);
        return new DedupSettings(values.getBoolean(PROVISION), Duration.ofMillis(values.getLong(EXPIRY_INTERVAL_MS)),
                values.getBoolean(TABLE_ENABLED), values.getString(TABLE_FACTORY).trim(),
                Duration.ofMillis(values.getLong(TABLE_COMMIT_INTERVAL_MS)));
    }
}
