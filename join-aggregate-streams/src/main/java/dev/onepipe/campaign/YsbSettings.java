package dev.onepipe.campaign;

import java.time.Duration;
import java.util.List;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The settings of the {@code ysb} topology (the Yahoo Streaming Benchmark query), read once from the configuration.
 *
 * @param eventsDataset    the dataset it runs for ({@code --dataset ysb-events})
 * @param eventsTopic      its topic
 * @param campaignsDataset the ad-to-campaign mapping (Redis in the original benchmark)
 * @param outputDataset    views per campaign and window
 * @param lateTopic        views that arrived after their window closed
 * @param windowSize       tumbling window size (10 s in the benchmark)
 * @param grace            how long after its end a window accepts views
 * @param storeRetention   how long window counts stay in the store
 * @param emit             final results or every update
 * @param updateInterval   with {@code updates}, how often (wall clock) open windows' counts are sent on
 * @param provision        whether to create topics and register the output dataset when starting
 */
public record YsbSettings(String eventsDataset, String eventsTopic, String campaignsDataset, String outputDataset, String lateTopic,
                          Duration windowSize, Duration grace, Duration storeRetention, CampaignMetricsSettings.EmitMode emit,
                          Duration updateInterval, boolean provision) {

    public static final String PREFIX = "onepipe.ysb.";
    public static final String CAMPAIGNS_DATASET = PREFIX + "campaigns.dataset";
    public static final String OUTPUT_DATASET = PREFIX + "output.dataset";
    public static final String LATE_TOPIC = PREFIX + "late.topic";
    public static final String WINDOW_SIZE_MS = PREFIX + "window.size.ms";
    public static final String GRACE_MS = PREFIX + "grace.ms";
    public static final String STORE_RETENTION_MS = PREFIX + "store.retention.ms";
    public static final String EMIT = PREFIX + "emit";
    public static final String UPDATE_INTERVAL_MS = PREFIX + "update.interval.ms";
    public static final String PROVISION = PREFIX + "provision";

    /** Every ysb setting: type, default, valid values and documentation, declared once. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(CAMPAIGNS_DATASET, Type.STRING, "ysb-campaigns", Importance.MEDIUM, "Dataset mapping each ad to its campaign.")
            .define(OUTPUT_DATASET, Type.STRING, "ysb-campaign-metrics", Importance.MEDIUM, "Registered dataset of views per campaign and window.")
            .define(LATE_TOPIC, Type.STRING, "ysb-campaign-metrics-late", Importance.MEDIUM, "Views that arrived after their window closed, as JSON.")
            .define(WINDOW_SIZE_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.MEDIUM, "Tumbling window size (the benchmark uses 10 s).")
            .define(GRACE_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.MEDIUM, "How long after its end a window accepts views.")
            .define(STORE_RETENTION_MS, Type.LONG, 3_600_000L, Range.atLeast(1), Importance.LOW, "How long window counts stay in the store.")
            .define(EMIT, Type.STRING, "final", ConfigDef.CaseInsensitiveValidString.in("final", "updates"), Importance.MEDIUM,
                    "'final': one count per window once it closes; 'updates': every change.")
            .define(UPDATE_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                    "With 'updates': how often (wall clock) each input partition sends on its open windows' counts.")
            .define(PROVISION, Type.BOOLEAN, true, Importance.LOW, "Create missing topics and register the output dataset when starting.");

    public static List<TopologySetting> settings() {
        return TopologySetting.all(DEFINITION);
    }

    /**
     * The tumbling window size (ms) {@code config} gives the topology, from {@link #DEFINITION}'s default when unset: for
     * readers outside the topology (the benchmark) that must window the same way.
     *
     * @throws IllegalArgumentException when the setting is not a positive number, naming it
     */
    public static long windowSizeMillis(OnepipeConfig config) {
        return TopologySetting.values(DEFINITION, config).getLong(WINDOW_SIZE_MS);
    }

    /**
     * @throws IllegalArgumentException when a setting is not of its type or out of its range, naming the setting
     */
    public static YsbSettings from(TopologyContext context) {
        AbstractConfig values = TopologySetting.values(DEFINITION, context.config());
        Duration windowSize = Duration.ofMillis(values.getLong(WINDOW_SIZE_MS));
        Duration grace = Duration.ofMillis(values.getLong(GRACE_MS));
        Duration retention = Duration.ofMillis(values.getLong(STORE_RETENTION_MS));
        return new YsbSettings(context.target(), context.inputTopic(),
                values.getString(CAMPAIGNS_DATASET),
                values.getString(OUTPUT_DATASET),
                values.getString(LATE_TOPIC),
                windowSize, grace,
                retention.compareTo(windowSize.plus(grace)) < 0 ? windowSize.plus(grace) : retention,
                CampaignMetricsSettings.EmitMode.parse(values.getString(EMIT)),
                Duration.ofMillis(values.getLong(UPDATE_INTERVAL_MS)),
                values.getBoolean(PROVISION));
    }
}
