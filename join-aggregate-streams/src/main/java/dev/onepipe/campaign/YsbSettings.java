package dev.onepipe.campaign;

import java.time.Duration;
import java.util.List;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;
import org.apache.kafka.streams.StreamsConfig;

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
 * @param provision        whether to create topics and register the output dataset when starting
 */
public record YsbSettings(String eventsDataset, String eventsTopic, String campaignsDataset, String outputDataset, String lateTopic,
                          Duration windowSize, Duration grace, Duration storeRetention, CampaignMetricsSettings.EmitMode emit,
                          boolean provision) {

    public static final String PREFIX = "onepipe.ysb.";
    public static final String CAMPAIGNS_DATASET = PREFIX + "campaigns.dataset";
    public static final String OUTPUT_DATASET = PREFIX + "output.dataset";
    public static final String LATE_TOPIC = PREFIX + "late.topic";
    public static final String WINDOW_SIZE_MS = PREFIX + "window.size.ms";
    public static final String GRACE_MS = PREFIX + "grace.ms";
    public static final String STORE_RETENTION_MS = PREFIX + "store.retention.ms";
    public static final String EMIT = PREFIX + "emit";
    public static final String PROVISION = PREFIX + "provision";

    public static List<TopologySetting> settings() {
        return List.of(
                // a Kafka Streams setting: emit-final looks for closed windows at most this often (its own default: 1 s),
                // which adds up to that much to the benchmark's latency from window end to result
                TopologySetting.of(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 100,
                        "How often (wall clock) closed windows are looked for and emitted; Kafka Streams' default is 1000 ms."),
                TopologySetting.of(CAMPAIGNS_DATASET, "ysb-campaigns", "Dataset mapping each ad to its campaign."),
                TopologySetting.of(OUTPUT_DATASET, "ysb-campaign-metrics", "Registered dataset of views per campaign and window."),
                TopologySetting.of(LATE_TOPIC, "ysb-campaign-metrics-late", "Views that arrived after their window closed, as JSON."),
                TopologySetting.of(WINDOW_SIZE_MS, 10_000, "Tumbling window size (the benchmark uses 10 s)."),
                TopologySetting.of(GRACE_MS, 1_000, "How long after its end a window accepts views."),
                TopologySetting.of(STORE_RETENTION_MS, 3_600_000, "How long window counts stay in the store."),
                TopologySetting.of(EMIT, "final", "'final': one count per window once it closes; 'updates': every change."),
                TopologySetting.of(PROVISION, true, "Create missing topics and register the output dataset when starting."));
    }

    public static YsbSettings from(TopologyContext context) {
        OnepipeConfig config = context.config();
        Duration windowSize = Duration.ofMillis(config.getLong(WINDOW_SIZE_MS, 10_000));
        Duration grace = Duration.ofMillis(config.getLong(GRACE_MS, 1_000));
        if (windowSize.isZero() || windowSize.isNegative() || grace.isNegative()) {
            throw new IllegalArgumentException("Settings '" + WINDOW_SIZE_MS + "' must be positive and '" + GRACE_MS + "' not negative");
        }
        Duration retention = Duration.ofMillis(config.getLong(STORE_RETENTION_MS, 3_600_000));
        return new YsbSettings(context.target(), context.inputTopic(),
                config.get(CAMPAIGNS_DATASET, "ysb-campaigns"),
                config.get(OUTPUT_DATASET, "ysb-campaign-metrics"),
                config.get(LATE_TOPIC, "ysb-campaign-metrics-late"),
                windowSize, grace,
                retention.compareTo(windowSize.plus(grace)) < 0 ? windowSize.plus(grace) : retention,
                CampaignMetricsSettings.EmitMode.parse(config.get(EMIT, "final")),
                config.getBoolean(PROVISION, true));
    }
}
